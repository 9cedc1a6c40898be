// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package manager

import "strconv"

// SoftMemoryLimit is the Go runtime's soft memory limit for a container whose memory
// limit is memoryLimit bytes (the Deployment's MEMORY_LIMIT, from limits.memory): half
// of it, so the collector works harder well before the container would be killed. The
// runtime's limit counts only the Go runtime's own memory: the binary's pages (about
// 35 MiB), mapped from its file, count against the container too, and the other half is
// for them and for a burst. It is 0, no limit to set, when goMemLimit (GOMEMLIMIT) is
// set, as Go honours that itself, or memoryLimit is not a positive number of bytes.
func SoftMemoryLimit(memoryLimit, goMemLimit string) int64 {
	n, err := strconv.ParseInt(memoryLimit, 10, 64)
	if goMemLimit != "" || err != nil || n <= 0 {
		return 0
	}
	return n / 2
}
