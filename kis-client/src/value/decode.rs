//! The direct decode path of generated responses: one hand-written, non-generic-over-the-type
//! map walk that reads JSON straight into a generated struct.
//!
//! A generated struct describes itself to this module with a static [`Fields`] table (wire
//! names in declaration order plus a case-insensitive index) and implements [`Record`]: field
//! `i` as a `&mut dyn Slot`. The walk ([`deserialize_into`]) matches each key against the table
//! without allocating (the next field in declaration order first, then a binary search ignoring
//! ASCII case), decodes the value in place into its slot (a [`Val`] parses its string where it
//! lies; a block pushes rows and walks each one), and keeps every key the table does not know
//! in `extra`. The walk is generic only over the deserializer's `MapAccess`, so 278 endpoints
//! share one copy of it per deserializer; what is generated per struct is the table and two
//! `match`es from index to field.
//!
//! Lossless: a key that matches a field only when ASCII case is ignored (KIS spells `odno` as
//! `ODNO` in some answers) fills the field and its spelling is remembered ([`Spellings`]) for
//! the write-back; a value of another JSON type than the field expects stays in `extra` under
//! its key; a JSON number in a scalar field fills the field from the number's text and is
//! remembered ([`Spellings`]) so the write-back sends a number again (`tokenP`'s `expires_in`);
//! a repeated key behaves like `serde_json::Value` (the last one wins).

use super::block::{Report, Shape};
use super::{Map, Val, Wire};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;

/// The wire names of a generated struct's fields, and the same names ASCII-lower-cased and
/// sorted (for matching keys whatever their case).
#[derive(Debug)]
pub struct Fields {
    /// Wire names, in the struct's declaration order (field index = position).
    pub names: &'static [&'static str],
    /// `(ASCII-lower-cased wire name, field index)`, sorted (by name, then index).
    pub lower: &'static [(&'static str, u16)],
}

/// The table of a type with no listed fields (a block whose columns the spec does not list).
pub static NO_FIELDS: Fields = Fields {
    names: &[],
    lower: &[],
};

/// How a key matched a [`Fields`] table.
#[derive(Debug, PartialEq, Eq)]
pub enum Match {
    /// Field `i`, spelled exactly as the spec spells it.
    Exact(usize),
    /// Field `i`, spelled differently in ASCII case.
    Case(usize),
}

/// Where the next key of an object is likely to be: KIS sends fields in spec order, and bodies
/// serialized from a `serde_json::Value` (kis-mock, captured traffic) arrive sorted by name.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hint {
    /// The field after the last match, in declaration order.
    decl: usize,
    /// The entry of [`Fields::lower`] after the last match.
    sorted: usize,
}

/// Keys longer than this are matched by a linear scan (no wire name is nearly this long).
const MAX_KEY: usize = 64;

impl Fields {
    /// Finds `key`: first at the two guesses of `hint`, then by binary search of the
    /// lower-cased names; an exact spelling wins over one that differs in case. Updates `hint`.
    /// Never allocates.
    #[inline]
    pub fn find(&self, key: &str, hint: &mut Hint) -> Option<Match> {
        if let Some(&n) = self.names.get(hint.decl) {
            if n == key {
                hint.decl += 1;
                return Some(Match::Exact(hint.decl - 1));
            }
        }
        if let Some(&(_, i)) = self.lower.get(hint.sorted) {
            let i = usize::from(i);
            if self.names[i] == key {
                hint.decl = i + 1;
                hint.sorted += 1;
                return Some(Match::Exact(i));
            }
        }
        self.find_slow(key, hint)
    }

    fn find_slow(&self, key: &str, hint: &mut Hint) -> Option<Match> {
        if key.len() > MAX_KEY {
            let i = self
                .names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(key))?;
            return Some(if self.names[i] == key {
                Match::Exact(i)
            } else {
                Match::Case(i)
            });
        }
        let mut buf = [0u8; MAX_KEY];
        let low = &mut buf[..key.len()];
        low.copy_from_slice(key.as_bytes());
        low.make_ascii_lowercase();
        let low = &*low;
        let start = self.lower.partition_point(|(n, _)| n.as_bytes() < low);
        let mut first = None;
        for (pos, &(n, i)) in self.lower.iter().enumerate().skip(start) {
            if n.as_bytes() != low {
                break;
            }
            let i = usize::from(i);
            if self.names[i] == key {
                *hint = Hint {
                    decl: i + 1,
                    sorted: pos + 1,
                };
                return Some(Match::Exact(i));
            }
            first.get_or_insert(i);
        }
        first.map(Match::Case)
    }
}

/// How fields arrived when not as a string under the spec's key: under a key differing in
/// ASCII case, or as a JSON number (empty almost always: 16 bytes, no allocation).
#[derive(Default, Clone, PartialEq, Eq)]
pub struct Spellings(Option<Box<[Spelling]>>);

/// One field's wire form.
#[derive(Clone, PartialEq, Eq)]
struct Spelling {
    /// The field index.
    index: usize,
    /// The key it arrived under, when it differs from the spec's.
    key: Option<Box<str>>,
    /// Whether it arrived as a JSON number.
    number: bool,
}

impl Spellings {
    /// No field arrived under another spelling (the `Default`, as a constant).
    pub const NONE: Spellings = Spellings(None);
}

impl Spellings {
    /// The spelling field `i` arrived under, if it differs from the spec's.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.entry(i)?.key.as_deref()
    }

    /// Whether field `i` arrived as a JSON number (written back as one).
    pub fn is_number(&self, i: usize) -> bool {
        self.entry(i).is_some_and(|e| e.number)
    }

    fn entry(&self, i: usize) -> Option<&Spelling> {
        self.0.as_ref()?.iter().find(|e| e.index == i)
    }

    fn entry_mut(&mut self, i: usize) -> &mut Spelling {
        let mut list = self.0.take().map(Vec::from).unwrap_or_default();
        let at = match list.iter().position(|e| e.index == i) {
            Some(at) => at,
            None => {
                list.push(Spelling {
                    index: i,
                    key: None,
                    number: false,
                });
                list.len() - 1
            }
        };
        let list = self.0.insert(list.into_boxed_slice());
        &mut list[at]
    }

    /// Drops entries that say nothing any more.
    fn prune(&mut self) {
        if let Some(list) = self.0.take() {
            let kept: Vec<Spelling> = Vec::from(list)
                .into_iter()
                .filter(|e| e.key.is_some() || e.number)
                .collect();
            if !kept.is_empty() {
                self.0 = Some(kept.into_boxed_slice());
            }
        }
    }

    fn set(&mut self, i: usize, spelling: Box<str>) {
        self.entry_mut(i).key = Some(spelling);
    }

    fn set_number(&mut self, i: usize, number: bool) {
        if number {
            self.entry_mut(i).number = true;
        } else if self.is_number(i) {
            self.entry_mut(i).number = false;
            self.prune();
        }
    }

    /// Forgets how field `i` arrived; returns the key it arrived under, if it differed.
    #[inline]
    fn remove(&mut self, i: usize) -> Option<Box<str>> {
        match self.0 {
            None => None,
            Some(_) => self.remove_slow(i),
        }
    }

    fn remove_slow(&mut self, i: usize) -> Option<Box<str>> {
        let mut list = Vec::from(self.0.take()?);
        let key = match list.iter().position(|e| e.index == i) {
            Some(at) => list.swap_remove(at).key,
            None => None,
        };
        if !list.is_empty() {
            self.0 = Some(list.into_boxed_slice());
        }
        key
    }
}

impl fmt::Debug for Spellings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for e in self.0.iter().flat_map(|l| l.iter()) {
            match (&e.key, e.number) {
                (Some(k), true) => m.entry(&e.index, &format_args!("{k:?} (number)")),
                (Some(k), false) => m.entry(&e.index, k),
                (None, _) => m.entry(&e.index, &"(number)"),
            };
        }
        m.finish()
    }
}

/// A generated response struct or block row, as the decode walk and the write-back see it.
/// Object-safe: the walk takes `&mut dyn Record`, so it is compiled once, not per type.
pub trait Record {
    /// The wire names of the fields `slot` and `slot_mut` index.
    fn fields(&self) -> &'static Fields;
    /// Field `i` (`None` past the end).
    fn slot(&self, i: usize) -> Option<&dyn Slot>;
    /// Field `i`, mutably (`None` past the end).
    fn slot_mut(&mut self, i: usize) -> Option<&mut dyn Slot>;
    /// Fields the spec does not list.
    fn extra(&self) -> &Map;
    /// Fields the spec does not list, mutably.
    fn extra_mut(&mut self) -> &mut Map;
    /// Whether [`report`] lists the keys of `extra` as unknown (not for a row whose columns
    /// the spec does not list: every key of it is "unknown").
    fn reports_extra(&self) -> bool {
        true
    }
    /// Spellings of fields that arrived under a differently cased key.
    fn spellings(&self) -> Option<&Spellings> {
        None
    }
    /// Spellings, mutably.
    fn spellings_mut(&mut self) -> Option<&mut Spellings> {
        None
    }
}

/// One field of a [`Record`]: a scalar [`Val`] or a block of rows.
pub trait Slot {
    /// Sets the field from its wire string (a block keeps it verbatim).
    fn set_str(&mut self, s: &str);
    /// Sets a scalar from an owned wire string, reusing it where the text is kept.
    fn set_string(&mut self, s: String) {
        self.set_str(&s);
    }
    /// The rows of a block field (`None` for scalars).
    fn rows(&mut self) -> Option<&mut dyn Rows> {
        None
    }
    /// Whether the field was present in the JSON object.
    fn is_present(&self) -> bool;
    /// Back to "absent".
    fn reset(&mut self);
    /// Writes the field back into `map` under `key` (absent fields are left out).
    fn put(&self, map: &mut Map, key: &str);
    /// Records invalid values (and, for blocks, unknown fields) below `path`.
    fn report(&self, path: &str, key: &str, r: &mut Report);
}

/// The rows of a block field, as the decode walk fills them.
///
/// Only what needs the row type is per type (the vector operations); everything built on them
/// (shape, write-back, report, `Debug`) is written once, on `dyn Rows` (see `value::block`),
/// so 379 row types do not each get a copy.
pub trait Rows {
    /// Drops every row (the shape is left as it is).
    fn clear_rows(&mut self);
    /// Appends a default row and returns it.
    fn push(&mut self) -> &mut dyn Record;
    /// The number of rows.
    fn count(&self) -> usize;
    /// Row `i` (`None` past the end).
    fn row(&self, i: usize) -> Option<&dyn Record>;
    /// The JSON shape the block arrived in.
    fn shape(&self) -> &Shape;
    /// The JSON shape the block arrived in, mutably.
    fn shape_mut(&mut self) -> &mut Shape;
}

impl<T: Wire> Slot for Val<T> {
    #[inline]
    fn set_str(&mut self, s: &str) {
        *self = Val::parse(s);
    }
    #[inline]
    fn set_string(&mut self, s: String) {
        *self = Val::parse_owned(s);
    }
    fn is_present(&self) -> bool {
        !self.is_missing()
    }
    fn reset(&mut self) {
        *self = Val::Missing;
    }
    fn put(&self, map: &mut Map, key: &str) {
        if !self.is_missing() {
            map.insert(key.to_owned(), Value::String(self.raw().into_owned()));
        }
    }
    fn report(&self, path: &str, key: &str, r: &mut Report) {
        r.val(path, key, self);
    }
}

/// Writes `rec` back as a JSON object: every field as received (under the key it arrived
/// with), unknown ones included.
pub fn to_map(rec: &dyn Record) -> Map {
    let mut m = rec.extra().clone();
    let fields = rec.fields();
    let spellings = rec.spellings();
    for (i, name) in fields.names.iter().enumerate() {
        if let Some(slot) = rec.slot(i) {
            let key = spellings.and_then(|s| s.get(i)).unwrap_or(name);
            slot.put(&mut m, key);
            if spellings.is_some_and(|s| s.is_number(i)) {
                as_number(&mut m, key);
            }
        }
    }
    m
}

/// Turns the string at `key` back into the JSON number it was received as.
#[cold]
fn as_number(m: &mut Map, key: &str) {
    if let Some(v) = m.get_mut(key) {
        if let Some(n) = v
            .as_str()
            .and_then(|s| s.parse::<serde_json::Number>().ok())
        {
            *v = Value::Number(n);
        }
    }
}

/// Adds the unknown fields and invalid values of `rec` below `path` to `r`.
pub fn report(rec: &dyn Record, path: &str, r: &mut Report) {
    if rec.reports_extra() {
        r.extra(path, rec.extra());
    }
    let spellings = rec.spellings();
    for (i, name) in rec.fields().names.iter().enumerate() {
        if let Some(slot) = rec.slot(i) {
            let key = spellings.and_then(|s| s.get(i)).unwrap_or(name);
            slot.report(path, key, r);
        }
    }
}

/// `Deserialize` of a generated response: reads a JSON object straight into `rec`.
pub fn deserialize_into<'de, D: Deserializer<'de>>(
    d: D,
    rec: &mut dyn Record,
) -> Result<(), D::Error> {
    d.deserialize_map(ObjectVisitor(rec))
}

/// `Serialize` of a generated response: writes it back as received.
pub fn serialize_record<S: serde::Serializer>(rec: &dyn Record, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&to_map(rec), s)
}

/// Decodes `map` into `r` (a default value of a generated type) and writes it back, with the
/// report of unknown and invalid fields (the generated decode tables' entry point).
pub fn decode_map(r: &mut dyn Record, map: Map) -> (Map, Report) {
    // Every JSON value is accepted somewhere (a field, a block, or `extra`), so decoding an
    // already parsed object cannot fail.
    let done = deserialize_into(Value::Object(map), &mut *r);
    debug_assert!(done.is_ok(), "{done:?}");
    let mut report = Report::default();
    self::report(r, "", &mut report);
    (to_map(r), report)
}

struct ObjectVisitor<'a>(&'a mut dyn Record);

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        walk(map, self.0)
    }
}

/// How a key of the object being walked matched.
enum Key {
    Exact(usize),
    Case(usize, Box<str>),
    Unknown(String),
}

struct KeySeed<'a> {
    fields: &'static Fields,
    hint: &'a mut Hint,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }
    #[inline]
    fn visit_str<E: de::Error>(self, k: &str) -> Result<Key, E> {
        Ok(match self.fields.find(k, self.hint) {
            Some(Match::Exact(i)) => Key::Exact(i),
            Some(Match::Case(i)) => Key::Case(i, k.into()),
            None => Key::Unknown(k.to_owned()),
        })
    }
    fn visit_string<E: de::Error>(self, k: String) -> Result<Key, E> {
        Ok(match self.fields.find(&k, self.hint) {
            Some(Match::Exact(i)) => Key::Exact(i),
            Some(Match::Case(i)) => Key::Case(i, k.into_boxed_str()),
            None => Key::Unknown(k),
        })
    }
}

/// Walks the entries of one JSON object into `rec`.
fn walk<'de, A: MapAccess<'de>>(mut map: A, rec: &mut dyn Record) -> Result<(), A::Error> {
    let fields = rec.fields();
    let mut hint = Hint::default();
    // Whether any field holds a differently spelled key, and whether `extra` has entries: the
    // checks they guard are skipped (no virtual call) while they are false, the usual case.
    let mut spelled = rec.spellings().is_some_and(|s| s.0.is_some());
    let mut numbers = spelled;
    let mut extra_used = !rec.extra().is_empty();
    while let Some(key) = map.next_key_seed(KeySeed {
        fields,
        hint: &mut hint,
    })? {
        let (i, key) = match key {
            Key::Exact(i) => {
                // The same field, sent before under another spelling, keeps that key.
                if spelled {
                    let number = rec.spellings().is_some_and(|s| s.is_number(i));
                    if let Some(old) = rec.spellings_mut().and_then(|s| s.remove(i)) {
                        move_to_extra(rec, i, &old, number);
                        extra_used = true;
                    }
                }
                (i, None)
            }
            Key::Case(i, spelling) => {
                let taken = rec.slot(i).is_some_and(|s| s.is_present())
                    && rec.spellings().and_then(|s| s.get(i)) != Some(&*spelling);
                if taken {
                    // The field holds a value under another key: this one is kept as is.
                    let v: Value = map.next_value()?;
                    rec.extra_mut().insert(spelling.into(), v);
                    extra_used = true;
                    continue;
                }
                (i, Some(spelling))
            }
            Key::Unknown(k) => {
                let v: Value = map.next_value()?;
                rec.extra_mut().insert(k, v);
                extra_used = true;
                continue;
            }
        };
        let Some(slot) = rec.slot_mut(i) else {
            continue; // a table longer than the struct: not generated
        };
        let (other, number) = match map.next_value_seed(FieldSeed(slot))? {
            Got::Text => (None, false),
            Got::Number => (None, true),
            Got::Other(v) => (Some(v), false),
        };
        if number || numbers {
            // A JSON number is written back as one; a later string for the field is not.
            if let Some(s) = rec.spellings_mut() {
                s.set_number(i, number);
                numbers |= number;
            }
        }
        if other.is_none() && !extra_used && key.is_none() {
            continue; // the usual case: a string, under the spec's spelling
        }
        let name = key.as_deref().unwrap_or(fields.names[i]);
        if let Some(v) = other {
            // Not a string: the field reads as absent and the value is kept under its key.
            if let Some(s) = rec.slot_mut(i) {
                s.reset();
            }
            rec.extra_mut().insert(name.to_owned(), v);
            extra_used = true;
            if key.is_some() {
                rec.spellings_mut().map(|s| s.remove(i));
            }
            continue;
        }
        // A repeated key: the last value wins, as in `serde_json::Value`.
        if extra_used {
            rec.extra_mut().remove(name);
        }
        if let Some(spelling) = key {
            if let Some(s) = rec.spellings_mut() {
                s.set(i, spelling);
                spelled = true;
            }
        }
    }
    Ok(())
}

/// Moves field `i` (received under `key`) into `extra`, leaving the field absent.
#[cold]
fn move_to_extra(rec: &mut dyn Record, i: usize, key: &str, number: bool) {
    let mut moved = Map::new();
    if let Some(slot) = rec.slot(i) {
        slot.put(&mut moved, key);
    }
    if number {
        as_number(&mut moved, key);
    }
    if let Some(slot) = rec.slot_mut(i) {
        slot.reset();
    }
    rec.extra_mut().append(&mut moved);
}

/// Decodes a field in place: a string (or a JSON number, by its text) into a scalar, an
/// object or array into a block's rows. A value a scalar cannot hold comes back as
/// [`Got::Other`].
struct FieldSeed<'a>(&'a mut dyn Slot);

/// What [`FieldSeed`] did with a value.
enum Got {
    /// A string filled the field (or a block kept the value).
    Text,
    /// A JSON number filled the scalar field with its text.
    Number,
    /// The field cannot hold the value: kept verbatim elsewhere.
    Other(Value),
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Got;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Got, D::Error> {
        d.deserialize_any(self)
    }
}

/// The `Visitor` methods for the JSON types a seed does not handle itself: build the
/// `serde_json::Value` to keep verbatim.
macro_rules! keep_as_value {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(self.other(Value::Bool(v)))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.other(Value::Null))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.other(Value::Null))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            Ok(self.other(Value::deserialize(d)?))
        }
    };
}

impl FieldSeed<'_> {
    fn other(self, v: Value) -> Got {
        match self.0.rows() {
            Some(rows) => {
                rows.clear();
                rows.set_other(v);
                Got::Text
            }
            None => Got::Other(v),
        }
    }

    /// A JSON number: a scalar reads its text (`86400`), a block keeps it verbatim.
    #[cold]
    fn number(self, n: serde_json::Number) -> Got {
        if self.0.rows().is_some() {
            return self.other(Value::Number(n));
        }
        self.0.set_string(n.to_string());
        Got::Number
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Got;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    #[inline]
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Got, E> {
        self.0.set_str(s);
        Ok(Got::Text)
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Got, E> {
        self.0.set_string(s);
        Ok(Got::Text)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Got, E> {
        Ok(self.number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Got, E> {
        Ok(self.number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Got, E> {
        Ok(match serde_json::Number::from_f64(v) {
            Some(n) => self.number(n),
            None => self.other(Value::Null),
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Got, A::Error> {
        match self.0.rows() {
            Some(rows) => BlockSeed(rows).visit_map(map).map(|()| Got::Text),
            None => Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Got::Other),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Got, A::Error> {
        match self.0.rows() {
            Some(rows) => BlockSeed(rows).visit_seq(seq).map(|()| Got::Text),
            None => Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Got::Other),
        }
    }
    keep_as_value!();
}

/// Decodes a block field in place: an object is one row, an array of objects is the rows,
/// anything else is kept verbatim.
struct BlockSeed<'a>(&'a mut dyn Rows);

impl BlockSeed<'_> {
    fn visit_map<'de, A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.clear();
        self.0.set_shape_object(true);
        walk(map, self.0.push())
    }

    fn visit_seq<'de, A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let rows = self.0;
        rows.clear();
        rows.set_shape_object(false);
        while let Some(el) = seq.next_element_seed(RowSeed(&mut *rows))? {
            if let Some(v) = el {
                // Not every element is an object: keep the whole array verbatim.
                let mut all = rows.to_values();
                all.push(v);
                while let Some(v) = seq.next_element::<Value>()? {
                    all.push(v);
                }
                rows.clear();
                rows.set_other(Value::Array(all));
                break;
            }
        }
        Ok(())
    }
}

/// One element of an array block: an object becomes a row (`None`), anything else comes back.
struct RowSeed<'a>(&'a mut dyn Rows);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl RowSeed<'_> {
    fn other(self, v: Value) -> Option<Value> {
        Some(v)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(s)))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        walk(map, self.0.push())?;
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Value>, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(self.other(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(self.other(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(self.other(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)))
    }
    keep_as_value!();
}

#[cfg(test)]
mod tests {
    use super::*;

    static T: Fields = Fields {
        names: &["b", "ODNO", "a", "odno_x"],
        lower: &[("a", 2), ("b", 0), ("odno", 1), ("odno_x", 3)],
    };

    fn find(f: &Fields, key: &str) -> Option<Match> {
        f.find(key, &mut Hint::default())
    }

    #[test]
    fn find_uses_the_hints_then_searches_ignoring_case() {
        assert_eq!(find(&T, "b"), Some(Match::Exact(0)));
        assert_eq!(find(&T, "a"), Some(Match::Exact(2)));
        assert_eq!(find(&T, "ODNO"), Some(Match::Exact(1)));
        assert_eq!(find(&T, "odno"), Some(Match::Case(1)));
        assert_eq!(find(&T, "Odno_X"), Some(Match::Case(3)));
        assert_eq!(find(&T, "B"), Some(Match::Case(0)));
        assert_eq!(find(&T, "c"), None);
        assert_eq!(find(&T, ""), None);
        assert_eq!(find(&T, &"a".repeat(100)), None);
        assert_eq!(find(&NO_FIELDS, "a"), None);
        // Declaration order, then sorted order: every key is a hint hit after the first.
        let mut h = Hint::default();
        for (k, i) in [("b", 0), ("ODNO", 1), ("a", 2), ("odno_x", 3)] {
            assert_eq!(T.find(k, &mut h), Some(Match::Exact(i)));
        }
        let mut h = Hint::default();
        for (k, i) in [("a", 2), ("b", 0), ("odno_x", 3)] {
            assert_eq!(T.find(k, &mut h), Some(Match::Exact(i)));
        }
        assert_eq!(h.sorted, 4);
    }

    #[test]
    fn exact_spelling_wins_over_case() {
        static D: Fields = Fields {
            names: &["odno", "ODNO"],
            lower: &[("odno", 0), ("odno", 1)],
        };
        assert_eq!(find(&D, "ODNO"), Some(Match::Exact(1)));
        assert_eq!(find(&D, "odno"), Some(Match::Exact(0)));
        assert_eq!(find(&D, "Odno"), Some(Match::Case(0)));
        let long = "X".repeat(70);
        static L: Fields = Fields {
            names: &["x"],
            lower: &[("x", 0)],
        };
        assert_eq!(find(&L, &long), None);
    }

    #[test]
    fn spellings() {
        let mut s = Spellings::default();
        assert_eq!(s.get(1), None);
        s.set(1, "ODNO".into());
        s.set(2, "X".into());
        s.set(1, "OdNo".into());
        assert_eq!(s.get(1), Some("OdNo"));
        assert_eq!(s.remove(1).as_deref(), Some("OdNo"));
        assert_eq!(s.remove(2).as_deref(), Some("X"));
        assert_eq!(s, Spellings::default());
    }
}
