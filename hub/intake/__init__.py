"""Dropoffs and intake control: what a hub takes in at the table, and when it takes it.
Above inventory (a dropoff receives goods into stock), below deliveries and the pages."""
