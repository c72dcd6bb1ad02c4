"""The publish zone: disclosure-controlled copies of the marts for BI tools, Excel and the report."""
