package main

import (
	_ "offhunt/detect"
	_ "offhunt/detect/output"
	_ "offhunt/detect/rules"
)

func main() {}
