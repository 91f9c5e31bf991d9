package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/internal/store"
)

// chart is a score trend drawn as an inline SVG polyline: scores 0 to 100
// on the vertical axis, scans oldest to newest, evenly spaced.
type chart struct {
	Width, Height            int
	Left, Right, Top, Bottom int
	Points                   []chartPoint
	Polyline                 string
	Grid                     []gridLine
	First, Last              string
}

type chartPoint struct {
	X, Y  int
	Label string
}

type gridLine struct {
	Y     int
	Label string
}

// trendChart draws scans (oldest first); nil when there is none.
func trendChart(scans []store.Scan) *chart {
	if len(scans) == 0 {
		return nil
	}
	c := &chart{Width: 720, Height: 220, Left: 40, Right: 705, Top: 15, Bottom: 195}
	y := func(score int) int {
		score = max(0, min(100, score))
		return c.Bottom - score*(c.Bottom-c.Top)/100
	}
	for _, v := range []int{0, 50, 100} {
		c.Grid = append(c.Grid, gridLine{Y: y(v), Label: strconv.Itoa(v)})
	}
	span := c.Right - c.Left
	var pts []string
	for i, sc := range scans {
		x := c.Left + span/2
		if len(scans) > 1 {
			x = c.Left + i*span/(len(scans)-1)
		}
		p := chartPoint{X: x, Y: y(sc.Score), Label: fmt.Sprintf("scan %d, %s: %s, %d/100",
			sc.ID, sc.Started.UTC().Format("2006-01-02 15:04"), sc.Grade, sc.Score)}
		c.Points = append(c.Points, p)
		pts = append(pts, strconv.Itoa(p.X)+","+strconv.Itoa(p.Y))
	}
	c.Polyline = strings.Join(pts, " ")
	c.First = scans[0].Started.UTC().Format("2006-01-02")
	c.Last = scans[len(scans)-1].Started.UTC().Format("2006-01-02")
	return c
}
