package abidecode

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// Normalize converts a value produced by go-ethereum's ABI decoder into a
// display- and JSON-friendly form: every integer becomes a decimal string
// (JSON numbers lose precision above 2^53), addresses are checksummed,
// byte strings and fixed byte arrays become 0x-hex, slices become []any and
// tuples become map[string]any keyed by the component name.
func Normalize(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *big.Int:
		if x == nil {
			return "0"
		}
		return x.String()
	case big.Int:
		return x.String()
	case common.Address:
		return x.Hex()
	case common.Hash:
		return x.Hex()
	case []byte:
		return hexutil.Encode(x)
	case string, bool:
		return x
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprint(rv.Uint())
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			return hexutil.Encode(b)
		}
		return normalizeList(rv)
	case reflect.Slice:
		return normalizeList(rv)
	case reflect.Struct:
		out := make(map[string]any, rv.NumField())
		t := rv.Type()
		for i := 0; i < rv.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			// go-ethereum tags tuple fields with the ABI component name.
			if tag, ok := f.Tag.Lookup("json"); ok && tag != "" {
				name = strings.Split(tag, ",")[0]
			}
			out[argName(name)] = Normalize(rv.Field(i).Interface())
		}
		return out
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return Normalize(rv.Elem().Interface())
	}
	return fmt.Sprint(v)
}

func normalizeList(rv reflect.Value) []any {
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = Normalize(rv.Index(i).Interface())
	}
	return out
}
