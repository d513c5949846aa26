"""The explorer's panes and the virtual list they are built on."""
