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

package cli_test

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/cli"
	"github.com/skillmatrix-dev/skillmatrix-operator/internal/notify"
)

func TestFollowAgainstAPIServer(t *testing.T) {
	c := startCluster(t)
	if err := c.admin.Create(c.ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "bob-follower"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "skillmatrix-follower"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob"}},
	}); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Namespace: c.ns, Name: notify.FollowName("mlops-engineer", "bob")}

	t.Run("bob follows a Role in a daily digest", func(t *testing.T) {
		c.eventually("bob may create Follows", func() bool {
			return c.run("bob", "follow", "mlops-engineer", "--digest", "--hour", "8", "--time-zone", "Asia/Shanghai",
				"--locale", "zh-CN").code == 0
		})
		var f v1.Follow
		if err := c.admin.Get(c.ctx, key, &f); err != nil {
			t.Fatal(err)
		}
		if f.Spec.Subscriber != "bob" || f.Spec.Delivery == nil || f.Spec.Delivery.Mode != v1.DeliveryDigest ||
			*f.Spec.Delivery.Hour != 8 || f.Spec.Delivery.TimeZone != "Asia/Shanghai" || f.Spec.Locale != "zh-CN" {
			t.Errorf("follow: %+v", f.Spec)
		}
		out := c.mustRun("bob", "follow", "mlops-engineer", "--events", "Opened,Decided")
		mustContain(t, "follow again", out, "you (bob) still follow it: each event as it happens")
		if err := c.admin.Get(c.ctx, key, &f); err != nil {
			t.Fatal(err)
		}
		if f.Spec.Delivery != nil || len(f.Spec.Events) != 2 {
			t.Errorf("following again keeps %+v", f.Spec)
		}
		mustContain(t, "list", c.mustRun("bob", "follow", "--list"), "mlops-engineer\tInstant UTC")
	})

	t.Run("wrong flags are usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"follow", "mlops-engineer", "--hour", "9"},
			{"follow", "mlops-engineer", "--digest", "--hour", "24"},
			{"follow", "mlops-engineer", "--time-zone", "Mars/Olympus"},
			{"follow", "mlops-engineer", "--events", "Whatever"},
		} {
			if r := c.run("bob", args...); r.code != cli.ExitUsage {
				t.Errorf("%v: exit %d, want %d", args, r.code, cli.ExitUsage)
			}
		}
	})

	t.Run("without the follower ClusterRole the command names it", func(t *testing.T) {
		r := c.run("alice", "follow", "mlops-engineer")
		mustContain(t, "stderr", r.stderr, "skillmatrix-follower")
	})

	t.Run("bob unfollows", func(t *testing.T) {
		mustContain(t, "unfollow", c.mustRun("bob", "unfollow", "mlops-engineer"), "you (bob) no longer follow it")
		if err := c.admin.Get(c.ctx, key, &v1.Follow{}); !apierrors.IsNotFound(err) {
			t.Errorf("the Follow is still there: %v", err)
		}
		mustContain(t, "unfollow again", c.mustRun("bob", "unfollow", "mlops-engineer"), "you (bob) do not follow it")
	})
}
