package ioc_test

import (
	"fmt"
	"os"
	"strings"

	"offhunt/detect/ioc"
)

func Example() {
	// FromFindings(findings) gives the indicators of a scan; here, one of
	// the seed's recommended blocks, written as Defender's import file.
	var sb strings.Builder
	_ = ioc.WriteDefenderCSV(&sb, []ioc.Indicator{{
		Type: ioc.URL, Value: "downloads.rclone.org", Action: "Block", Severity: "Medium",
		Title: "rclone download site", Description: "Recommended by the seed hunting query.",
		Category: "Exfiltration", Mitre: []string{"T1567.002", "T1105"}, GenerateAlert: true,
	}})
	fmt.Fprint(os.Stdout, strings.ReplaceAll(sb.String(), "\r\n", "\n"))
	// Output:
	// IndicatorType,IndicatorValue,ExpirationTime,Action,Severity,Title,Description,RecommendedActions,RbacGroups,Category,MitreTechniques,GenerateAlert
	// Url,downloads.rclone.org,,Block,Medium,rclone download site,Recommended by the seed hunting query.,,,Exfiltration,"T1567.002,T1105",True
}
