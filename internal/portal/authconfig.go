/*
Copyright 2026.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package portal

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"sigs.k8s.io/yaml"
)

// LegacyIssuer is the Issuer the API server's legacy OIDC flags describe
// (--oidc-issuer-url, --oidc-client-id, --oidc-username-claim,
// --oidc-username-prefix, --oidc-groups-claim, --oidc-groups-prefix,
// --oidc-required-claim), with their defaults: the username claim is sub;
// an unset username prefix is "<issuer>#" unless the claim is email, and
// "-" means none.
func LegacyIssuer(issuerURL, clientID, usernameClaim, usernamePrefix, groupsClaim, groupsPrefix string,
	requiredClaims map[string]string) (Issuer, error) {
	iss := Issuer{URL: issuerURL, Audiences: []string{clientID}, UsernameClaim: usernameClaim,
		GroupsClaim: groupsClaim, GroupsPrefix: groupsPrefix, RequiredClaims: requiredClaims}
	switch {
	case usernamePrefix == "-":
	case usernamePrefix != "":
		iss.UsernamePrefix = usernamePrefix
	case iss.usernameClaim() != claimEmail:
		iss.UsernamePrefix = issuerURL + "#"
	}
	return iss, iss.check("--oidc")
}

func (i Issuer) check(where string) error {
	u, err := url.Parse(i.URL)
	switch {
	case i.URL == "":
		return fmt.Errorf("%s: the issuer URL is empty", where)
	case err != nil || u.Host == "" || (u.Scheme != schemeHTTPS && u.Scheme != "http"):
		return fmt.Errorf("%s: the issuer URL %q is not an http(s) URL", where, i.URL)
	case len(i.Audiences) == 0 || i.Audiences[0] == "":
		return fmt.Errorf("%s: no audience (client ID) for issuer %s", where, i.URL)
	}
	return nil
}

// authenticationConfiguration is the part of the API server's
// AuthenticationConfiguration (apiserver.config.k8s.io/v1, --authentication-config)
// the portal reads: the JWT authenticators' issuers, audiences, and the
// simple claim-and-prefix mappings. CEL expressions are refused rather than
// ignored, so the portal never acts as someone other than the cluster
// would see.
type authenticationConfiguration struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	JWT        []struct {
		Issuer struct {
			URL                  string   `json:"url"`
			DiscoveryURL         string   `json:"discoveryURL"`
			Audiences            []string `json:"audiences"`
			AudienceMatchPolicy  string   `json:"audienceMatchPolicy"`
			CertificateAuthority string   `json:"certificateAuthority"`
		} `json:"issuer"`
		ClaimValidationRules []struct {
			Claim         string `json:"claim"`
			RequiredValue string `json:"requiredValue"`
			Expression    string `json:"expression"`
		} `json:"claimValidationRules"`
		ClaimMappings struct {
			Username claimMapping `json:"username"`
			Groups   claimMapping `json:"groups"`
			UID      claimMapping `json:"uid"`
			Extra    []any        `json:"extra"`
		} `json:"claimMappings"`
		UserValidationRules []any `json:"userValidationRules"`
	} `json:"jwt"`
}

type claimMapping struct {
	Claim      string  `json:"claim"`
	Prefix     *string `json:"prefix"`
	Expression string  `json:"expression"`
}

// ParseAuthenticationConfig reads the JWT issuers of an API server's
// AuthenticationConfiguration file. It also returns the PEM certificate
// authorities the issuers name, to trust when fetching their keys.
func ParseAuthenticationConfig(data []byte) ([]Issuer, []string, error) {
	var c authenticationConfiguration
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		// Fields the portal does not know (anonymous, for instance) are fine;
		// read again leniently once strict reading named what it was.
		if err := yaml.Unmarshal(data, &c); err != nil {
			return nil, nil, fmt.Errorf("reading the authentication configuration: %w", err)
		}
	}
	if c.Kind != "AuthenticationConfiguration" || !strings.HasPrefix(c.APIVersion, "apiserver.config.k8s.io/") {
		return nil, nil, fmt.Errorf("want an AuthenticationConfiguration of apiserver.config.k8s.io, not %s %s", c.APIVersion, c.Kind)
	}
	if len(c.JWT) == 0 {
		return nil, nil, errors.New("the authentication configuration has no jwt authenticator")
	}
	var issuers []Issuer
	var cas []string
	for n, j := range c.JWT {
		where := fmt.Sprintf("jwt[%d]", n)
		if j.ClaimMappings.Username.Expression != "" || j.ClaimMappings.Groups.Expression != "" ||
			j.ClaimMappings.UID.Expression != "" || len(j.ClaimMappings.Extra) > 0 || len(j.UserValidationRules) > 0 {
			return nil, nil, fmt.Errorf("%s: the portal maps users by claim and prefix only; CEL expressions, extra, uid "+
				"and userValidationRules are not supported (the portal would act as someone the cluster sees differently)", where)
		}
		iss := Issuer{URL: j.Issuer.URL, DiscoveryURL: j.Issuer.DiscoveryURL, Audiences: j.Issuer.Audiences,
			UsernameClaim: j.ClaimMappings.Username.Claim, GroupsClaim: j.ClaimMappings.Groups.Claim}
		if j.ClaimMappings.Username.Claim == "" {
			return nil, nil, fmt.Errorf("%s: claimMappings.username.claim is required", where)
		}
		if j.ClaimMappings.Username.Prefix == nil {
			return nil, nil, fmt.Errorf("%s: claimMappings.username.prefix is required (\"\" for none), as the API server requires it", where)
		}
		iss.UsernamePrefix = *j.ClaimMappings.Username.Prefix
		if p := j.ClaimMappings.Groups.Prefix; p != nil {
			iss.GroupsPrefix = *p
		}
		for _, r := range j.ClaimValidationRules {
			if r.Expression != "" {
				return nil, nil, fmt.Errorf("%s: claimValidationRules with a CEL expression are not supported", where)
			}
			if iss.RequiredClaims == nil {
				iss.RequiredClaims = map[string]string{}
			}
			iss.RequiredClaims[r.Claim] = r.RequiredValue
		}
		if err := iss.check(where); err != nil {
			return nil, nil, err
		}
		issuers = append(issuers, iss)
		if j.Issuer.CertificateAuthority != "" {
			cas = append(cas, j.Issuer.CertificateAuthority)
		}
	}
	return issuers, cas, nil
}
