// Package privacy carries out members' data protection rights: the export of everything
// Zirkel stores about a member (DSGVO Art. 15 and 20, export.go) and the deletion of their
// account (Art. 17, erase.go).
package privacy
