"""The link review queue (待复核匹配): student-register rows the linker could not link with
certainty, decided by a supervisor."""
