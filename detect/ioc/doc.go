// Package ioc turns a scan's findings into indicators of compromise that a
// response team can load into its defences: the SHA256 of each rclone
// binary seen, the hosts and URLs rclone was pointed at, and the blocks the
// seed query recommends (rclone's download sites). It writes them as
// Microsoft Defender for Endpoint's custom indicator import CSV.
//
// The package is pure: it reads findings and writes to an io.Writer, so the
// CLI and the page share it.
package ioc
