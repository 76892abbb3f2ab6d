package dotnet

import (
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
)

// addByteStatics adds the byte conversions of Convert (ToHexString,
// FromHexString) and BitConverter (ToInt16, ToInt32, ToInt64,
// IsLittleEndian); the gateway, like .NET on its platforms, is little-endian.
func addByteStatics(s map[string]expr.Members) {
	s["Convert"]["ToHexString"] = fn(tyString, 1, 3, func(_ any, a []any) (any, error) {
		b, err := toBytes(a[0])
		if err != nil {
			return nil, err
		}
		b, err = byteRange(b, a[1:], "Convert.ToHexString")
		if err != nil {
			return nil, err
		}
		return strings.ToUpper(hex.EncodeToString(b)), nil
	})
	s["Convert"]["FromHexString"] = fn(tyBytes, 1, 1, func(_ any, a []any) (any, error) {
		v, err := str(a[0], "s")
		if err != nil {
			return nil, err
		}
		if len(v)%2 != 0 {
			return nil, fail("the input is not a valid hex string as its length is not a multiple of 2")
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return nil, fail("the input is not a valid hex string as it contains a non-hex character")
		}
		return b, nil
	})
	bc := s["BitConverter"]
	bc["IsLittleEndian"] = constant(tyBool, true)
	bc["ToInt16"] = bitTo("ToInt16", 2, func(b []byte) any { return int(int16(binary.LittleEndian.Uint16(b))) })
	bc["ToInt32"] = bitTo("ToInt32", 4, func(b []byte) any { return int(int32(binary.LittleEndian.Uint32(b))) })
	bc["ToInt64"] = bitTo("ToInt64", 8, func(b []byte) any { return int64(binary.LittleEndian.Uint64(b)) })
}

// bitTo is a BitConverter method reading size bytes of an array at
// startIndex.
func bitTo(name string, size int, read func([]byte) any) *expr.Member {
	t := tyInt
	if size == 8 {
		t = tyLong
	}
	return fn(t, 2, 2, func(_ any, a []any) (any, error) {
		b, err := toBytes(a[0])
		if err != nil {
			return nil, err
		}
		i, err := intArg(a[1], "startIndex")
		if err != nil {
			return nil, err
		}
		if i < 0 || i >= len(b) {
			return nil, fail("BitConverter.%s: startIndex %d is out of range", name, i)
		}
		if i+size > len(b) {
			return nil, fail("BitConverter.%s: the array is too short to read %d bytes at %d", name, size, i)
		}
		return read(b[i : i+size]), nil
	})
}

// byteRange applies the optional (offset, length) arguments of a byte
// array conversion.
func byteRange(b []byte, rest []any, what string) ([]byte, error) {
	if len(rest) == 0 {
		return b, nil
	}
	if len(rest) != 2 {
		return nil, fail("%s takes an offset and a length", what)
	}
	off, err := intArg(rest[0], "offset")
	if err != nil {
		return nil, err
	}
	n, err := intArg(rest[1], "length")
	if err != nil {
		return nil, err
	}
	if off < 0 || n < 0 || off+n > len(b) {
		return nil, fail("%s: offset and length must refer to a location within the array", what)
	}
	return b[off : off+n], nil
}
