"""The project's Rasa plugin: every change to Rasa 3.6's internals (``img_rasa.plugin``),
the project's console (``img_rasa.console``) and the ``rasa`` command that applies them
(``img_rasa.cli``). Importing this package changes nothing and loads nothing heavy: the
``rasa`` command must set up warnings and TensorFlow's logging before Rasa is imported."""
