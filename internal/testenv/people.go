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

package testenv

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// PeopleGroup is the group every person AddPeople adds belongs to.
const PeopleGroup = "engineers"

// Person is a user the API server authenticates by client certificate,
// with a client of their own.
type Person struct {
	User   *envtest.AuthenticatedUser
	Client client.Client
}

// AddPeople adds one person per name in grants, in PeopleGroup, each bound
// cluster-wide to the ClusterRoles listed for them (none: authenticated and
// nothing more). Their clients use admin's scheme.
func AddPeople(ctx context.Context, env *envtest.Environment, admin client.Client,
	grants map[string][]string) (map[string]Person, error) {
	people := make(map[string]Person, len(grants))
	for name, clusterRoles := range grants {
		user, err := env.AddUser(envtest.User{Name: name, Groups: []string{PeopleGroup}}, nil)
		if err != nil {
			return nil, fmt.Errorf("adding user %s: %w", name, err)
		}
		c, err := client.New(user.Config(), client.Options{Scheme: admin.Scheme()})
		if err != nil {
			return nil, fmt.Errorf("client of %s: %w", name, err)
		}
		people[name] = Person{User: user, Client: c}
		for _, role := range clusterRoles {
			if err := admin.Create(ctx, &rbacv1.ClusterRoleBinding{
				ObjectMeta: metav1.ObjectMeta{Name: name + "-" + role},
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
				Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}},
			}); err != nil {
				return nil, fmt.Errorf("binding %s to %s: %w", name, role, err)
			}
		}
	}
	return people, nil
}
