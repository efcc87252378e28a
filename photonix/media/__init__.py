"""Pure functions on photo files and pixels: open and orient, read metadata, render derivatives."""
