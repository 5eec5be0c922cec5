"""CDS Hooks 2.0 services speaking Da Vinci CRD 2.0.1: discovery, the hook call, client trust."""
