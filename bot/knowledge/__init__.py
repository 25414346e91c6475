"""Knowledge base: schema, loader, search, reply rendering and the NLU/jieba generator.

Imports only the standard library, PyYAML and jieba — nothing else of the project.
"""
