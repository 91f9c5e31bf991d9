package codescan

import "strings"

// scriptImport resolves an absolute import the way Python does for a
// script run from its own directory (`python bad/vulpy.py` puts bad/ first
// on sys.path): `import libuser` in bad/mod_user.py names bad/libuser.py
// when the scanned tree has no top-level libuser but the importing file's
// package has one. Otherwise the name is left as written.
func (f *fileState) scriptImport(q string) string {
	if f.pkg == "" || f.proj == nil || f.proj.modules == nil {
		return q
	}
	head, _, _ := strings.Cut(q, ".")
	names := f.proj.modules.byName
	if _, top := names[head]; top {
		return q
	}
	if _, sibling := names[f.pkg+"."+head]; !sibling {
		return q
	}
	return f.pkg + "." + q
}
