// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package awssim

import (
	"fmt"
	"net/http"
	"net/url"
)

// serveQuery answers STS, which speaks the AWS query protocol (form in, XML out).
func (s *Server) serveQuery(w http.ResponseWriter, body []byte) {
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	s.mu.Lock()
	s.calls["sts:"+action]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if action != "GetCallerIdentity" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>The simulator does not serve %s.</Message></Error><RequestId>sim</RequestId></ErrorResponse>`, action)
		return
	}
	id := s.cfg.ManagementAccountID
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%s:user/awssim</Arn><UserId>AIDASIMULATOR</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>sim</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, id, id)
}
