package manifestedit

import (
	"fmt"
	"slices"
	"strings"
)

// lineDiff lists the lines only one side has, with their line numbers:
// "-12: old" for a line of a, "+12: new" for a line of b (longest common
// subsequence of lines).
func lineDiff(a, b string) string {
	x, y := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := range slices.Backward(x) {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "-%d: %s", i+1, strings.TrimSuffix(x[i], "\n")+"\n")
			i++
		default:
			fmt.Fprintf(&out, "+%d: %s", j+1, strings.TrimSuffix(y[j], "\n")+"\n")
			j++
		}
	}
	return out.String()
}
