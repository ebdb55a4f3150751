/*
 * bigdigits.c — renders "-12:34" as five rows of '#' and ' ' so the console
 * can paint them in any block character and colour; kept free of curses so
 * the shapes are plain data.
 */
#include <string.h>

#include "bigdigits.h"

/* One glyph: the character it draws and its rows (all the same width). */
struct bigdigits_glyph {
	char		 bg_ch;
	const char	*bg_rows[BIGDIGITS_ROWS];
};

static const struct bigdigits_glyph bigdigits_font[] = {
	{ '0', { "#####", "#   #", "#   #", "#   #", "#####" } },
	{ '1', { "  #  ", " ##  ", "  #  ", "  #  ", " ### " } },
	{ '2', { "#####", "    #", "#####", "#    ", "#####" } },
	{ '3', { "#####", "    #", " ####", "    #", "#####" } },
	{ '4', { "#   #", "#   #", "#####", "    #", "    #" } },
	{ '5', { "#####", "#    ", "#####", "    #", "#####" } },
	{ '6', { "#####", "#    ", "#####", "#   #", "#####" } },
	{ '7', { "#####", "    #", "   # ", "  #  ", "  #  " } },
	{ '8', { "#####", "#   #", "#####", "#   #", "#####" } },
	{ '9', { "#####", "#   #", "#####", "    #", "#####" } },
	{ ':', { "   ", " # ", "   ", " # ", "   " } },
	{ '-', { "    ", "    ", "####", "    ", "    " } },
	{ ' ', { "  ", "  ", "  ", "  ", "  " } },
};

/* The glyph for ch; unknown characters draw as a blank. */
static const struct bigdigits_glyph *
bigdigits_glyph(char ch)
{
	size_t	i;

	for (i = 0; i < sizeof bigdigits_font / sizeof bigdigits_font[0]; i++)
		if (bigdigits_font[i].bg_ch == ch)
			return &bigdigits_font[i];
	return &bigdigits_font[sizeof bigdigits_font /
	    sizeof bigdigits_font[0] - 1];
}

/* Columns text takes with each cell scale columns wide (one between glyphs). */
size_t
bigdigits_width(const char *text, int scale)
{
	size_t	w = 0;

	for (; *text != '\0'; text++)
		w += strlen(bigdigits_glyph(*text)->bg_rows[0]) * (size_t)scale +
		    (text[1] != '\0' ? (size_t)scale : 0);
	return w;
}

/* Writes row (0 to BIGDIGITS_ROWS - 1) of text into buf as '#' and ' '. */
char *
bigdigits_row(const char *text, int row, int scale, char *buf, size_t size)
{
	const char	*r;
	size_t		 o = 0;
	int		 k;

	if (size == 0)
		return buf;
	for (; *text != '\0'; text++) {
		for (r = bigdigits_glyph(*text)->bg_rows[row]; *r != '\0'; r++)
			for (k = 0; k < scale && o + 1 < size; k++)
				buf[o++] = *r;
		for (k = 0; text[1] != '\0' && k < scale && o + 1 < size; k++)
			buf[o++] = ' ';
	}
	buf[o] = '\0';
	return buf;
}
