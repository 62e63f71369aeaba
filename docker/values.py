# Typed JSON (mars2 sandbox): Python values as JSON that round-trips the builtins exactly, used on every
# channel that carries a program's values — call-style return values to the host (src/sandbox/typed.ts
# reads them), and arguments and results between the trusted evaluator and the program's process.
#
#   null true false        None True False
#   12  / {"$int": "-0x1f"} int (the hex form past MAX_DIGITS decimal digits)
#   1.5 / {"$float": "nan"} float (a literal always has '.' or an exponent; nan, inf, -inf tagged)
#   "s"  [..]              str, list
#   {"$tuple"|"$set"|"$frozenset": [..]}, {"$dict": [[k, v], ..]}, {"$bytes": "<base64>"}
#   {"$complex": [re, im]}, {"$type": "int"} (a builtin type, as an argument)
#   {"$list_node": [..]}, {"$tree_node": [v | null, ..]}   LeetCode's ListNode / TreeNode (level order)
#   {"$ref": n, "type": "Foo"}      an object that stays in the program's process (evaluator channel only)
#   {"$unsupported": {"type", "repr"}}, {"$error": "why"}  what cannot be carried
# Every object is a tag with one key (plus "type" for $ref). Decoding builds only builtins (and the dataset's
# own ListNode/TreeNode classes, passed in): nothing the sender controls runs on the receiving side.
import base64
import json

MAX_DEPTH = 100
MAX_NODES = 200_000  # list / tree nodes, against cycles and runaway structures
MAX_DIGITS = 4000

_bool, _int, _float, _str, _bytes, _list, _tuple, _dict, _set, _frozenset = (
    bool, int, float, str, bytes, list, tuple, dict, set, frozenset)
_type, _isinstance, _len, _repr, _sorted, _getattr, _callable, _hex = type, isinstance, len, repr, sorted, getattr, callable, hex
_int_repr, _float_repr, _str_str = int.__repr__, float.__repr__, str.__str__
_list_iter, _tuple_iter, _dict_items, _set_iter = list.__iter__, tuple.__iter__, dict.items, set.__iter__
_frozenset_iter = frozenset.__iter__
_loads = json.loads
_b64e, _b64d = base64.b64encode, base64.b64decode
_INF = float('inf')


# The evaluator's stand-in class for the program's objects (evaluator.Remote): sent back as {"$ref": n}.
REMOTE = None


class Unencodable(Exception):
    pass


_encode_str = json.encoder.encode_basestring  # the C function, taken before any program ran


def _s(s):
    return _encode_str(s)


def _int_text(v):
    v = _int.__int__(v)
    if -10 ** 15 < v < 10 ** 15:
        return _int_repr(v)
    h = _hex(v)
    if _len(h) * 1.21 < MAX_DIGITS:  # hex digits × log16/log10, below the decimal limit
        try:
            return _int_repr(v)
        except ValueError:  # the program lowered sys.set_int_max_str_digits
            pass
    return '{"$int":"%s"}' % h


def _node_kind(v):
    name = _type(v).__name__
    if name == 'ListNode' and _hasattrs(v, ('val', 'next')):
        return 'list'
    if name == 'TreeNode' and _hasattrs(v, ('val', 'left', 'right')):
        return 'tree'
    return None


def _hasattrs(v, names):
    d = _getattr(v, '__dict__', None)
    return _isinstance(d, _dict) and all(n in d for n in names)


def encode(v, refs=None, depth=0):
    """JSON text for v. `refs` (a list) lets objects that are not values travel as {"$ref": i}."""
    if depth > MAX_DEPTH:
        raise Unencodable('nested more than %d levels' % MAX_DEPTH)
    t = _type(v)
    if v is None:
        return 'null'
    if t is _bool:
        return 'true' if v else 'false'
    if _isinstance(v, _bool):
        return 'true' if _bool.__bool__(v) else 'false'
    if _isinstance(v, _int):
        return _int_text(v)
    if _isinstance(v, _float):
        f = _float.__float__(v)
        if f != f:
            return '{"$float":"nan"}'
        if f == _INF or f == -_INF:
            return '{"$float":"%s"}' % ('inf' if f > 0 else '-inf')
        return _float_repr(f)
    if _isinstance(v, _str):
        return _s(_str_str(v))
    d = depth + 1
    if _isinstance(v, _list):
        return '[' + ','.join([encode(x, refs, d) for x in _list_iter(v)]) + ']'
    if _isinstance(v, _tuple):
        return '{"$tuple":[' + ','.join([encode(x, refs, d) for x in _tuple_iter(v)]) + ']}'
    if _isinstance(v, _dict):
        return '{"$dict":[' + ','.join(['[%s,%s]' % (encode(k, refs, d), encode(x, refs, d)) for k, x in _dict_items(v)]) + ']}'
    if _isinstance(v, _frozenset):
        return '{"$frozenset":[' + ','.join(_sorted([encode(x, refs, d) for x in _frozenset_iter(v)])) + ']}'
    if _isinstance(v, _set):
        return '{"$set":[' + ','.join(_sorted([encode(x, refs, d) for x in _set_iter(v)])) + ']}'
    if _isinstance(v, (_bytes, bytearray)):
        return '{"$bytes":"%s"}' % _b64e(_bytes(v)).decode()
    if _isinstance(v, complex):
        return '{"$complex":[%s,%s]}' % (encode(complex.real.__get__(v), refs, d), encode(complex.imag.__get__(v), refs, d))
    if t is _type and _getattr(__builtins__ if _isinstance(__builtins__, _dict) else __builtins__.__dict__, 'get')(v.__name__) is v:
        return '{"$type":%s}' % _s(v.__name__)  # a builtin type (int, str, ...) as an argument
    if REMOTE is not None and t is REMOTE:
        return '{"$ref":%d,"type":%s}' % (REMOTE.ref_of(v), _s(REMOTE.type_of(v)))
    kind = _node_kind(v)
    if kind == 'list':
        vals, seen = [], 0
        node = v
        while node is not None:
            seen += 1
            if seen > MAX_NODES:
                raise Unencodable('a ListNode chain longer than %d (a cycle?)' % MAX_NODES)
            vals.append(encode(node.__dict__['val'], refs, d))
            node = node.__dict__['next']
            if node is not None and _node_kind(node) != 'list':
                raise Unencodable('ListNode.next is a %s' % _type(node).__name__)
        return '{"$list_node":[' + ','.join(vals) + ']}'
    if kind == 'tree':
        return '{"$tree_node":[' + ','.join(_tree_level_order(v, refs, d)) + ']}'
    tolist = _getattr(v, 'tolist', None)  # numpy arrays and scalars
    if _callable(tolist) and _type(v).__module__ == 'numpy':
        return encode(tolist(), refs, d)
    if refs is not None:
        refs.append(v)
        return '{"$ref":%d,"type":%s}' % (_len(refs) - 1, _s(_type_name(v)))
    raise Unencodable('a %s object' % _type_name(v))


def _type_name(v):
    try:
        return _str_str(_type(v).__name__)[:100]
    except BaseException:  # noqa: BLE001
        return '?'


def _tree_level_order(root, refs, d):
    out, queue, i, seen = [], [root], 0, set()
    while i < _len(queue):
        node = queue[i]
        i += 1
        if node is None:
            out.append('null')
            continue
        if _node_kind(node) != 'tree':
            raise Unencodable('a TreeNode child is a %s' % _type(node).__name__)
        if id(node) in seen or _len(seen) >= MAX_NODES:
            raise Unencodable('a TreeNode structure that is not a tree (shared nodes or a cycle)')
        seen.add(id(node))
        out.append(encode(node.__dict__['val'], refs, d))
        queue.append(node.__dict__['left'])
        queue.append(node.__dict__['right'])
    while out and out[-1] == 'null':
        out.pop()
    return out


def encode_safe(v, refs=None):
    """encode(), or a tag saying why not: a value is always produced."""
    try:
        return encode(v, refs)
    except Unencodable as e:
        return '{"$unsupported":{"type":%s,"repr":%s}}' % (_s(_type_name(v)), _s(_str_str(e.args[0])[:200]))
    except RecursionError:
        return '{"$error":"nested too deeply"}'
    except MemoryError:
        return '{"$error":"too large"}'
    except BaseException as e:  # noqa: BLE001 — a hostile object must not break the channel
        return '{"$error":%s}' % _s('cannot encode: %s' % _type_name(e))


class Malformed(Exception):
    pass


def decode_text(text, classes=None, remote=None):
    """The value of typed JSON text. classes: {'ListNode': cls, 'TreeNode': cls}; remote(i, type) makes a
    stand-in for a $ref. Raises Malformed for anything that is not typed JSON."""
    try:
        obj = _loads(text, parse_float=_strict_float, parse_constant=_no_constant)
    except Malformed:
        raise
    except (ValueError, RecursionError) as e:
        raise Malformed('not JSON (%s)' % (_str_str(str(e))[:200],))
    return decode(obj, classes or {}, remote)


def _strict_float(s):
    return _float(s)


def _no_constant(s):
    raise Malformed('%s is not typed JSON' % s)


def decode(o, classes, remote, depth=0):
    if depth > MAX_DEPTH + 2:
        raise Malformed('nested too deeply')
    t = _type(o)
    if o is None or t is _bool or t is _int or t is _float or t is _str:
        return o
    d = depth + 1
    if t is _list:
        return [decode(x, classes, remote, d) for x in o]
    if t is not _dict:
        raise Malformed('unexpected %s' % t.__name__)
    if _len(o) == 2 and '$ref' in o and 'type' in o:
        if remote is None or _type(o['$ref']) is not _int:
            raise Malformed('an object reference where none is allowed')
        return remote(o['$ref'], _str_str(o['type'])[:100] if _type(o['type']) is _str else '?')
    if _len(o) != 1:
        raise Malformed('an object with %d keys (tags have one)' % _len(o))
    (k, x), = o.items()
    if k == '$int':
        if _type(x) is not _str:
            raise Malformed('$int needs a string')
        try:
            return _int(x, 16)
        except ValueError:
            raise Malformed('bad $int %r' % x[:40])
    if k == '$float':
        if x in ('nan', 'inf', '-inf'):
            return _float(x)
        raise Malformed('bad $float %r' % (x,))
    if k == '$complex':
        if _type(x) is not _list or _len(x) != 2:
            raise Malformed('$complex needs [re, im]')
        re_, im_ = (decode(y, classes, remote, d) for y in x)
        if _type(re_) not in (_int, _float) or _type(im_) not in (_int, _float):
            raise Malformed('$complex parts must be numbers')
        return complex(re_, im_)
    if k == '$type':
        b = __builtins__ if _isinstance(__builtins__, _dict) else __builtins__.__dict__
        if _type(x) is _str and _type(b.get(x)) is _type:
            return b[x]
        raise Malformed('$type %r is not a builtin type' % (x,))
    if k == '$bytes':
        if _type(x) is not _str:
            raise Malformed('$bytes needs a string')
        try:
            return _b64d(x.encode('ascii'), validate=True)
        except ValueError:
            raise Malformed('bad base64 in $bytes')
    if k in ('$unsupported', '$error'):
        raise Unsupported(x)
    if _type(x) is not _list:
        raise Malformed('%s needs a list' % k)
    if k == '$tuple':
        return _tuple(decode(y, classes, remote, d) for y in x)
    if k in ('$set', '$frozenset'):
        items = [decode(y, classes, remote, d) for y in x]
        try:
            return _set(items) if k == '$set' else _frozenset(items)
        except TypeError:
            raise Malformed('an unhashable set member')
    if k == '$dict':
        out = {}
        for pair in x:
            if _type(pair) is not _list or _len(pair) != 2:
                raise Malformed('$dict entries are [key, value] pairs')
            key = decode(pair[0], classes, remote, d)
            try:
                out[key] = decode(pair[1], classes, remote, d)
            except TypeError:
                raise Malformed('an unhashable dict key')
        return out
    if k == '$list_node':
        cls = classes.get('ListNode')
        if cls is None:
            raise Malformed('a ListNode where the problem defines none')
        head = None
        for val in reversed(x):
            head = cls(decode(val, classes, remote, d), head)
        return head
    if k == '$tree_node':
        cls = classes.get('TreeNode')
        if cls is None:
            raise Malformed('a TreeNode where the problem defines none')
        return _build_tree(cls, [None if y is None else decode(y, classes, remote, d) for y in x], x)
    raise Malformed('unknown tag %r' % k[:40])


class Unsupported(Exception):
    """The sender said the value could not be carried ($unsupported / $error)."""

    def describe(self):
        x = self.args[0]
        if _type(x) is _dict:
            return 'a %s object (%s)' % (_str_str(x.get('type', '?'))[:100] if _type(x.get('type')) is _str else '?',
                                          _str_str(x.get('repr', ''))[:200] if _type(x.get('repr')) is _str else '')
        return _str_str(x)[:200] if _type(x) is _str else 'a value that could not be encoded'


def _build_tree(cls, vals, raw):
    """LeetCode's level order (as the dataset's tree_node() builds it); None entries are absent nodes."""
    if not vals or raw[0] is None:
        return None
    root = cls(vals[0])
    queue, qi, i = [root], 0, 1
    while qi < _len(queue) and i < _len(vals):
        node = queue[qi]
        qi += 1
        if i < _len(vals) and raw[i] is not None:
            node.left = cls(vals[i])
            queue.append(node.left)
        i += 1
        if i < _len(vals) and raw[i] is not None:
            node.right = cls(vals[i])
            queue.append(node.right)
        i += 1
    return root
