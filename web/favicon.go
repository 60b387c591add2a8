package web

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"sync"
)

// faviconSizes are the pixel sizes /favicon.ico holds.
var faviconSizes = []int{16, 32, 48}

// favicon is /favicon.ico: Spoke's mark, a wheel with six spokes on a
// rounded square in the pages' accent blue, drawn here rather than kept as
// a binary file. Each size is a PNG inside the ICO container, which every
// current browser reads.
var favicon = sync.OnceValue(func() []byte {
	var images [][]byte
	for _, size := range faviconSizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, drawMark(size)); err != nil {
			panic(err)
		}
		images = append(images, buf.Bytes())
	}
	// ICONDIR, then one ICONDIRENTRY per image, then the images.
	var out bytes.Buffer
	le := func(v any) { binary.Write(&out, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(images))})
	offset := 6 + 16*len(images)
	for i, img := range images {
		size := byte(faviconSizes[i])
		out.Write([]byte{size, size, 0, 0})
		le([2]uint16{1, 32}) // colour planes, bits per pixel
		le([2]uint32{uint32(len(img)), uint32(offset)})
		offset += len(img)
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes()
})

// drawMark draws the mark at size×size pixels, 4×4 samples a pixel for
// smooth edges. The geometry is in units of the icon's width.
func drawMark(size int) *image.NRGBA {
	accent := color.NRGBA{0x0b, 0x5c, 0xad, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	const samples = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := range size {
		for px := range size {
			var bg, fg int
			for sy := range samples {
				for sx := range samples {
					x := (float64(px) + (float64(sx)+0.5)/samples) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/samples) / float64(size)
					switch {
					case !inRoundedSquare(x, y, 0.2):
					case inWheel(x-0.5, y-0.5):
						fg++
					default:
						bg++
					}
				}
			}
			total := samples * samples
			if bg+fg == 0 {
				continue // transparent
			}
			// Mix the two colours by coverage; alpha is the shape's coverage.
			mix := func(a, b uint8) uint8 { return uint8((int(a)*bg + int(b)*fg) / (bg + fg)) }
			img.SetNRGBA(px, py, color.NRGBA{mix(accent.R, white.R), mix(accent.G, white.G), mix(accent.B, white.B),
				uint8(255 * (bg + fg) / total)})
		}
	}
	return img
}

// inRoundedSquare reports whether (x, y) is inside the unit square with
// corners rounded to radius r.
func inRoundedSquare(x, y, r float64) bool {
	if x < 0 || x > 1 || y < 0 || y > 1 {
		return false
	}
	cx := math.Min(math.Max(x, r), 1-r)
	cy := math.Min(math.Max(y, r), 1-r)
	return math.Hypot(x-cx, y-cy) <= r
}

// inWheel reports whether (x, y), relative to the centre, is on the wheel:
// a rim, a hub and six spokes between them.
func inWheel(x, y float64) bool {
	d := math.Hypot(x, y)
	const (
		rimOuter, rimInner = 0.37, 0.27
		hub                = 0.1
		spokeHalfWidth     = 0.042
	)
	if d <= hub || (d >= rimInner && d <= rimOuter) {
		return true
	}
	if d > rimOuter {
		return false
	}
	// Distance to the nearest spoke: spokes every 60 degrees, starting upright.
	angle := math.Atan2(x, -y)
	nearest := math.Round(angle/(math.Pi/3)) * (math.Pi / 3)
	return math.Abs(d*math.Sin(angle-nearest)) <= spokeHalfWidth
}

func (h *Handler) serveFavicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(favicon())
}
