"""Qt-free models of the computation-graph drawing: the layered layout (and, as it grows, the
backward-animation state machine).  The views in ``gdviz.gui.graph`` only paint what these say."""
