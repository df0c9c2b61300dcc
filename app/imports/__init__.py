"""Excel imports: one reader checks the file; importers map rows to the engine, all-or-nothing."""
