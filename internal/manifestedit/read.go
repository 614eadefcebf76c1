package manifestedit

import (
	"github.com/skillmatrix-dev/skillmatrix-operator/api/v1alpha1"
)

// Read returns the Role of the one document of src that is the target, as
// kubectl and Argo CD decode it: what the cluster gets from the file, which
// the switch-over compares with the cluster. Errors: *NotFoundError,
// *AmbiguousError, *NotPlainError.
func Read(src []byte, t Target) (*v1alpha1.Role, error) {
	doc, err := locate(src, t)
	if err != nil {
		return nil, err
	}
	return decodeRole(src[doc.start:doc.end])
}
