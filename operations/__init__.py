"""Commands an operator runs across every app: backup and restore of one hub, the demo
data and the benchmark data. They read and write the tables of hub, inventory and
deliveries alike, so they sit above all of them rather than in any one."""
