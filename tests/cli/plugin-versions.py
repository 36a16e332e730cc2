#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the versions of plugin NAME in a --dump-manifest read from stdin, one line."""
import json
import sys

name = sys.argv[1]
print(" ".join(p["version"] for p in json.load(sys.stdin)["plugins"] if p["name"] == name))
