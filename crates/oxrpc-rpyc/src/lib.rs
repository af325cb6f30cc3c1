//! The RPyC 6 protocol: brine, channel, connection, netrefs, services.
