package builtin

import (
	"strings"
	"testing"
)

func TestParseFunctions(t *testing.T) {
	runCases(t, []fcase{
		{"parse_json", a(S(`{"duration":{"value":118.0,"min":100.0}}`)), `{"duration":{"value":118,"min":100}}`},
		{"parse_json", a(S(`not json`)), "not json"},
		{"parse_json", a(S(``)), "null"},
		{"parse_json", a(D(`{"a":"{\"c\":456}"}`)), `{"a":"{\"c\":456}"}`},
		{"parsejson", a(S(`[1,"x"]`)), `[1,"x"]`},
		{"todynamic", a(S(`{"a":1}`)), `{"a":1}`},
		{"toobject", a(S(`{"a":1}`)), `{"a":1}`},
		{"parse_json", a(S("\"a\xffb\"")), "a\xffb"},
		{"parse_path", a(S(`C:\temp\file.txt`)),
			`{"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`},
		{"parse_path", a(S(`temp\file.txt`)),
			`{"Scheme":"","RootPath":"","DirectoryPath":"temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`},
		{"parse_path", a(S(`file://C:/temp/file.txt:some.exe`)),
			`{"Scheme":"file","RootPath":"C:","DirectoryPath":"C:/temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":"some.exe"}`},
		{"parse_path", a(S(`\\shared\users\temp\file.txt.gz`)),
			`{"Scheme":"","RootPath":"","DirectoryPath":"\\\\shared\\users\\temp","DirectoryName":"temp","Filename":"file.txt.gz","Extension":"gz","AlternateDataStreamName":""}`},
		{"parse_path", a(S(`/usr/lib/temp/file.txt`)),
			`{"Scheme":"","RootPath":"","DirectoryPath":"/usr/lib/temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`},
		{"parse_path", a(S(`file.txt`)),
			`{"Scheme":"","RootPath":"","DirectoryPath":"","DirectoryName":"","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`},
		{"parse_path", a(S(``)),
			`{"Scheme":"","RootPath":"","DirectoryPath":"","DirectoryName":"","Filename":"","Extension":"","AlternateDataStreamName":""}`},
		{"parse_url", a(S("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment")),
			`{"Scheme":"scheme","Host":"host","Port":"1234","Path":"/this/is/a/path","Username":"username","Password":"password","Query Parameters":{"k1":"v1","k2":"v2"},"Fragment":"fragment"}`},
		{"parse_url", a(S("https://john.doe@www.example.com:123/forum/questions/?tag=networking&order=newest#top")),
			`{"Scheme":"https","Host":"www.example.com","Port":"123","Path":"/forum/questions/","Username":"john.doe","Password":"","Query Parameters":{"tag":"networking","order":"newest"},"Fragment":"top"}`},
		{"parse_url", a(S("ldap://[2001:db8::7]/c=GB?objectClass?one")),
			`{"Scheme":"ldap","Host":"2001:db8::7","Port":"","Path":"/c=GB","Username":"","Password":"","Query Parameters":{"objectClass?one":""},"Fragment":""}`},
		{"parse_url", a(S("https://a.example/p?c=1&c=2&q=a%20b+c")),
			`{"Scheme":"https","Host":"a.example","Port":"","Path":"/p","Username":"","Password":"","Query Parameters":{"c":"2","q":"a b c"},"Fragment":""}`},
		{"parse_url", a(S("mailto:John.Doe@example.com")),
			`{"Scheme":"","Host":"","Port":"","Path":"","Username":"","Password":"","Query Parameters":{},"Fragment":""}`},
		{"parse_urlquery", a(S("k1=v1&k2=v2&k3=v3")), `{"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}`},
		{"parse_command_line", a(S(`echo "hello world!"`), S("windows")), `["echo","hello world!"]`},
		{"parse_command_line", a(S(`"C:\Program Files\x.exe" -a "b c" d\\"e f" g\"h \\\\ ""`), S("windows")),
			`["C:\\Program Files\\x.exe","-a","b c","d\\e f","g\"h","\\\\\\\\",""]`},
		{"parse_command_line", a(S(`C:\a\b.exe  x   y`), S("windows")), `["C:\\a\\b.exe","x","y"]`},
		{"parse_command_line", a(S(`a "b""c" d`), S("windows")), `["a","b\"c","d"]`},
		{"parse_command_line", a(S(``), S("windows")), `[]`},
		{"parse_command_line", a(S(`a b`), S("linux")), "null"},
	})
}

func TestParseXML(t *testing.T) {
	runCases(t, []fcase{
		{"parse_xml", a(S(`<e/>`)), `{"e":null}`},
		{"parse_xml", a(S(`<e>text</e>`)), `{"e":"text"}`},
		{"parse_xml", a(S(`<e name="value" />`)), `{"e":{"@name":"value"}}`},
		{"parse_xml", a(S(`<e name="value">text</e>`)), `{"e":{"@name":"value","#text":"text"}}`},
		{"parse_xml", a(S(`<e> <a>text</a> <b>text</b> </e>`)), `{"e":{"a":"text","b":"text"}}`},
		{"parse_xml", a(S(`<e> <a>text</a> <a>text</a> </e>`)), `{"e":{"a":["text","text"]}}`},
		{"parse_xml", a(S(`<e> <a>1</a> <a>2</a> <a>3</a> </e>`)), `{"e":{"a":["1","2","3"]}}`},
		{"parse_xml", a(S(`<e> text <a>text</a> </e>`)), `{"e":{"a":"text","#text":" text  "}}`},
		{"parse_xml", a(S(`<?xml version="1.0" encoding="UTF-8"?><!-- c --><duration><value>118.0</value></duration>`)),
			`{"duration":{"value":"118.0"}}`},
		{"parse_xml", a(S(`<DataItem><EventData xmlns="http://x"><Data Name="SubjectUserSid">S-1-5-18</Data><Data Name="Other"/></EventData></DataItem>`)),
			`{"DataItem":{"EventData":{"@xmlns":"http://x","Data":[{"@Name":"SubjectUserSid","#text":"S-1-5-18"},{"@Name":"Other"}]}}}`},
		{"parse_xml", a(S(`<a><b></a>`)), "null"},
		{"parse_xml", a(S(`not xml`)), "null"},
		{"parse_xml", a(S(``)), "null"},
		{"parse_xml", a(S(`<a>x</a><b/>`)), `{"a":"x","b":null}`},
	})
	deep := strings.Repeat("<a>", 200) + strings.Repeat("</a>", 200)
	if got := call(t, "parse_xml", S(deep)); got.K != 0 {
		t.Error("XML nested beyond the limit must give null")
	}
	if got := call(t, "parse_xml", S("<a>"+strings.Repeat("x", MaxXMLInput)+"</a>")); got.K != 0 {
		t.Error("XML over 1 MB must give null")
	}
}
