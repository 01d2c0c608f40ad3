//go:build !memprofile

package main

func readProfile() {}
