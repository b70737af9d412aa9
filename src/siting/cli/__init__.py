"""The `siting` command line (click): the only package that imports click."""
