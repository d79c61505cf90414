"""A centre's grants per year: amount, valuation rate of a volunteer hour and the cap of the in-kind
value, entered by the centre lead (or the admin) on a page, through the API or on the command line."""
