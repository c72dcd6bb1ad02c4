"""The DuckDB files of a warehouse folder and how we write to them."""
