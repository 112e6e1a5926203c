module offhunt

go 1.26
