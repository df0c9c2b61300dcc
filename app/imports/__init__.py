"""Excel imports: one reader checks the file; importers map rows to the engine, all-or-nothing."""

# What every failed import confirmation tells the user: one transaction, so nothing of it stays.
UNDONE = "导入已全部撤销，未写入任何数据"
