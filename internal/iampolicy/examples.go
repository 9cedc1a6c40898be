// Copyright 2026 The awsorg-operator Authors.
// SPDX-License-Identifier: Apache-2.0

package iampolicy

import "strings"

// Examples are documents that each break one rule, with the problem Check reports:
// the tests drive them through the check, the operator and the lint command.
var Examples = []struct {
	Name string
	Type Type
	Doc  string
	Want string
}{
	{"not an object", SCP, `["Allow"]`, "the document is not a JSON object"},
	{"no version", SCP, `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, `Version: missing; set it to "2012-10-17"`},
	{"bad version", SCP, `{"Version":"2020-01-01","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, `Version: is "2020-01-01"; it must be "2012-10-17"`},
	{"no statement", SCP, `{"Version":"2012-10-17"}`, "Statement: missing"},
	{"empty statements", SCP, `{"Version":"2012-10-17","Statement":[]}`, "Statement: is empty"},
	{"statement not a list", SCP, `{"Version":"2012-10-17","Statement":"Deny"}`, "Statement: must be a statement object or a list of them"},
	{"unknown top element", SCP, `{"Version":"2012-10-17","Statment":[],"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, "Statment: unknown element"},
	{"no effect", SCP, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Action":"*","Resource":"*"}]}`, `statement "A", Effect: missing`},
	{"bad effect", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"deny","Action":"*","Resource":"*"}]}`, `statement 1, Effect: is "deny"; it must be "Allow" or "Deny"`},
	{"no action", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Resource":"*"}]}`, "statement 1, Action: missing; a statement needs Action or NotAction"},
	{"action and not action", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}`, "statement 1, Action: and NotAction are both set"},
	{"resource and not resource", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","NotResource":"arn:aws:s3:::b"}]}`, "Resource: and NotResource are both set"},
	{"bad action", SCP, `{"Version":"2012-10-17","Statement":[{"Sid":"Bad","Effect":"Deny","Action":"s3GetObject","Resource":"*"}]}`, `statement "Bad", Action: "s3GetObject" is not an action`},
	{"action not a string", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":[1],"Resource":"*"}]}`, "Action: must be a string or a list of strings"},
	{"bad resource", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"my-bucket"}]}`, `Resource: "my-bucket" is not a resource`},
	{"bad operator", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:PrincipalTag/t":"x"}}}]}`, `Condition: "StringEqual" is not a condition operator`},
	{"null if exists", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:x":"true"}}}]}`, `"NullIfExists" is not a condition operator`},
	{"condition without keys", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":"true"}}]}`, "Condition: Bool must map condition keys to values"},
	{"duplicate sid", SCP, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"iam:*","Resource":"*"}]}`, `statement "A", Sid: is used by another statement`},
	{"bad sid", SCP, `{"Version":"2012-10-17","Statement":[{"Sid":"no-dashes","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "Sid: may contain only letters and digits"},
	{"unknown statement element", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Actions":"s3:*","Action":"s3:*","Resource":"*"}]}`, "statement 1, Actions: unknown element"},
	{"principal in an SCP", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Principal: is not allowed in a service control policy"},
	{"too big", SCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["` + strings.Repeat("s3:GetObject", 1) + `"],"Resource":["arn:aws:s3:::` + strings.Repeat("b", 5200) + `"]}]}`, "the minified document is 5"},
	{"allow in an RCP", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, `resource control policies take only "Deny" statements`},
	{"RCP without principal", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, `Principal: must be "*" in a resource control policy`},
	{"RCP service", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ec2:RunInstances","Resource":"*"}]}`, `"ec2:RunInstances": resource control policies apply only to`},
	{"RCP not action", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}]}`, "NotAction: is not allowed in a resource control policy"},
	{"RCP without resource", RCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*"}]}`, "Resource: missing; a statement needs Resource or NotResource"},
	{"principal in an inline policy", Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}]}`, "Principal: is not allowed in an identity policy"},
	{"inline policy without resource", Identity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, "Resource: missing"},
}
