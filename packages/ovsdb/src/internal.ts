// Internals shared with sibling packages (@ovnkit/ovn-nb, tests). Not a stable API.
export {};
