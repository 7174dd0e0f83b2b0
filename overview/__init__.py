"""Pages that combine the domain apps (hub, inventory, deliveries): the hub at a glance,
the dashboard, reports and their CSV exports, and the public status. They only read,
through each app's selectors; nothing below imports them."""
