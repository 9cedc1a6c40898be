// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Package awssim is an AWS simulator: one HTTP server that speaks the AWS JSON 1.1
// protocol (and STS's query protocol) for the services behind this operator, so the
// real aws-sdk-go-v2 clients can talk to it through BaseEndpoint or AWS_ENDPOINT_URL.
//
// It behaves as AWS does where it matters to a client: the error codes, Reason fields
// and HTTP statuses the official models list, input validation against the models'
// lengths, patterns and enums, pagination with the models' page limits, asynchronous
// account creation, and AWS's limits and uniqueness rules. Its whole state can be read
// as JSON at GET /_sim/state.
//
// It is a product in its own right (people rehearse organization changes on it) and
// imports nothing of the operator: a test that passes against it proves something only
// because it is independent of the code under test.
package awssim
