"""The email channel: fetching, parsing, threading, auto-responses, spam, outbound mail."""
