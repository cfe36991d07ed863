"""Leads (线索): what a screening raised, through the field check, the review and the bureau's
decision. `evidence` puts a lead's evidence into words."""
