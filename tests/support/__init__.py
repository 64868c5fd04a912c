"""Shared test helpers: record factories, a loopback feed server, hostile strings, a pty terminal, app fixtures."""
