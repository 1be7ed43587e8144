"""The house style every edition is drawn in: fonts, and (in house_style) sizes, colours and spacing."""
