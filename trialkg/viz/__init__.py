"""Network views, graph analytics and plots of the knowledge graph.

The stages: ``model`` turns the store's RDF into a typed networkx multigraph, ``views``
selects the part to draw, ``layout`` places it, ``network`` writes a self-contained HTML page
(pyvis + vis-network, offline), ``analytics`` ranks and connects nodes, ``plots`` draws
matplotlib figures from the query library.
"""
