//! Response objects and blocks: decoding a JSON object field by field, tolerating an object
//! where an array was expected (and the reverse), keeping unknown fields, and writing it back.

use super::{Val, Wire};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::ops::Deref;

/// A JSON object (the remainder of one holds the fields a type does not know).
pub type Map = serde_json::Map<String, Value>;

/// A generated response struct or block row, decoded from and written back to a JSON object.
pub trait Object: Sized {
    /// Decodes from an object; keys the type does not know are kept.
    fn from_map(map: Map) -> Self;
    /// Writes back every field as received, unknown ones included.
    fn to_map(&self) -> Map;
    /// Adds unknown fields and invalid values below `path` to `report`.
    fn report(&self, path: &str, report: &mut Report);

    /// Paths of fields the spec does not know (kept, and written back).
    fn unknown_fields(&self) -> Vec<String> {
        let mut r = Report::default();
        self.report("", &mut r);
        r.unknown
    }

    /// Paths and raw text of values that did not parse.
    fn invalid_fields(&self) -> Vec<(String, String)> {
        let mut r = Report::default();
        self.report("", &mut r);
        r.invalid
    }
}

/// Unknown fields and invalid values found in a decoded response.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Paths of fields the spec does not know (e.g. `output1[2].new_field`).
    pub unknown: Vec<String>,
    /// Paths and raw text of values that did not parse.
    pub invalid: Vec<(String, String)>,
}

impl Report {
    /// Records the keys of `extra` below `path`.
    pub fn extra(&mut self, path: &str, extra: &Map) {
        for k in extra.keys() {
            self.unknown.push(join(path, k));
        }
    }

    /// Records `v` if it did not parse.
    pub fn val<T>(&mut self, path: &str, name: &str, v: &Val<T>) {
        if let Some(raw) = v.invalid_raw() {
            self.invalid.push((join(path, name), raw.to_owned()));
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Takes a string field out of `map`. A value of another JSON type stays in `map` (so it is
/// kept as an unknown field) and the field reads as missing.
pub fn take<T: Wire>(map: &mut Map, key: &str) -> Val<T> {
    match map.remove(key) {
        None => Val::Missing,
        Some(Value::String(s)) => Val::parse_owned(s),
        Some(other) => {
            map.insert(key.to_owned(), other);
            Val::Missing
        }
    }
}

/// Writes a value back into `map` (missing values are left out).
pub fn put<T: Wire>(map: &mut Map, key: &str, v: &Val<T>) {
    if !v.is_missing() {
        map.insert(key.to_owned(), Value::String(v.raw().into_owned()));
    }
}

/// The JSON shape a block arrived in, so it is written back the same way.
#[derive(Debug, Clone, Default, PartialEq)]
enum Shape {
    #[default]
    Missing,
    Object,
    Array,
    /// Neither an object nor an array of objects (e.g. `""` or `null`): kept verbatim.
    Other(Value),
}

fn take_rows<T: Object>(map: &mut Map, key: &str) -> (Vec<T>, Shape) {
    match map.remove(key) {
        None => (Vec::new(), Shape::Missing),
        Some(Value::Object(m)) => (vec![T::from_map(m)], Shape::Object),
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => {
            let rows = a
                .into_iter()
                .filter_map(|v| match v {
                    Value::Object(m) => Some(T::from_map(m)),
                    _ => None,
                })
                .collect();
            (rows, Shape::Array)
        }
        Some(other) => (Vec::new(), Shape::Other(other)),
    }
}

fn put_rows<T: Object>(map: &mut Map, key: &str, rows: &[T], shape: &Shape) {
    let value = match (shape, rows) {
        (Shape::Other(v), _) => v.clone(),
        (Shape::Missing, []) => return,
        (Shape::Object, [one]) => Value::Object(one.to_map()),
        _ => Value::Array(rows.iter().map(|r| Value::Object(r.to_map())).collect()),
    };
    map.insert(key.to_owned(), value);
}

fn report_rows<T: Object>(rows: &[T], path: &str, key: &str, shape: &Shape, report: &mut Report) {
    let base = join(path, key);
    if let Shape::Other(_) = shape {
        report.unknown.push(base.clone());
    }
    if let (Shape::Object, [row]) = (shape, rows) {
        return row.report(&base, report);
    }
    for (i, row) in rows.iter().enumerate() {
        row.report(&format!("{base}[{i}]"), report);
    }
}

/// An array block (`output1`, ...): a list of rows. Tolerates a single object where an array
/// was expected, and writes back the shape it received.
#[derive(Debug, Clone)]
pub struct Block<T> {
    rows: Vec<T>,
    shape: Shape,
}

impl<T> Default for Block<T> {
    fn default() -> Self {
        Block {
            rows: Vec::new(),
            shape: Shape::Missing,
        }
    }
}

impl<T> Block<T> {
    /// The rows.
    pub fn rows(&self) -> &[T] {
        &self.rows
    }
    /// The rows, by value.
    pub fn into_rows(self) -> Vec<T> {
        self.rows
    }
}

impl<T> Deref for Block<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.rows
    }
}

impl<'a, T> IntoIterator for &'a Block<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<T: Object> Block<T> {
    /// Writes the block back into `map`.
    pub fn put(&self, map: &mut Map, key: &str) {
        put_rows(map, key, &self.rows, &self.shape);
    }
    /// Reports unknown fields and invalid values of every row.
    pub fn report(&self, path: &str, key: &str, report: &mut Report) {
        report_rows(&self.rows, path, key, &self.shape, report);
    }
}

/// Takes an array block out of `map`.
pub fn take_block<T: Object>(map: &mut Map, key: &str) -> Block<T> {
    let (rows, shape) = take_rows(map, key);
    Block { rows, shape }
}

/// An object block (`output`, ...): one record, or none. Tolerates an array where an object
/// was expected (further rows are kept in [`One::rest`]), and writes back the shape it
/// received.
#[derive(Debug, Clone)]
pub struct One<T> {
    rows: Vec<T>,
    shape: Shape,
}

impl<T> Default for One<T> {
    fn default() -> Self {
        One {
            rows: Vec::new(),
            shape: Shape::Missing,
        }
    }
}

impl<T> One<T> {
    /// The record, if the block was present.
    pub fn get(&self) -> Option<&T> {
        self.rows.first()
    }
    /// Further records, when KIS sent an array of several.
    pub fn rest(&self) -> &[T] {
        self.rows.get(1..).unwrap_or_default()
    }
    /// The record by value.
    pub fn into_inner(self) -> Option<T> {
        self.rows.into_iter().next()
    }
}

impl<T: Object> One<T> {
    /// Writes the block back into `map`.
    pub fn put(&self, map: &mut Map, key: &str) {
        put_rows(map, key, &self.rows, &self.shape);
    }
    /// Reports unknown fields and invalid values of the record(s).
    pub fn report(&self, path: &str, key: &str, report: &mut Report) {
        report_rows(&self.rows, path, key, &self.shape, report);
    }
}

/// Takes an object block out of `map`.
pub fn take_one<T: Object>(map: &mut Map, key: &str) -> One<T> {
    let (rows, shape) = take_rows(map, key);
    One { rows, shape }
}

/// `Deserialize` for a generated [`Object`]: reads a JSON object and decodes it.
pub fn deserialize_object<'de, D: serde::Deserializer<'de>, T: Object>(
    d: D,
) -> Result<T, D::Error> {
    Map::deserialize(d).map(T::from_map)
}

/// `Serialize` for a generated [`Object`]: writes it back as received.
pub fn serialize_object<S: serde::Serializer, T: Object>(t: &T, s: S) -> Result<S::Ok, S::Error> {
    t.to_map().serialize(s)
}

/// Decodes `map` as `R` and writes it back, with the report of unknown and invalid fields
/// (used by the generated decode table).
pub fn decode_map<R: Object>(map: Map) -> (Map, Report) {
    let r = R::from_map(map);
    let mut report = Report::default();
    r.report("", &mut report);
    (r.to_map(), report)
}

/// A block whose columns the spec does not list: every field is kept as received.
impl Object for Map {
    fn from_map(map: Map) -> Self {
        map
    }
    fn to_map(&self) -> Map {
        self.clone()
    }
    fn report(&self, _: &str, _: &mut Report) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug)]
    struct Row {
        a: Val<i64>,
        extra: Map,
    }

    impl Object for Row {
        fn from_map(mut map: Map) -> Self {
            let a = take(&mut map, "a");
            Row { a, extra: map }
        }
        fn to_map(&self) -> Map {
            let mut m = self.extra.clone();
            put(&mut m, "a", &self.a);
            m
        }
        fn report(&self, path: &str, r: &mut Report) {
            r.extra(path, &self.extra);
            r.val(path, "a", &self.a);
        }
    }

    struct Resp {
        one: One<Row>,
        many: Block<Row>,
        extra: Map,
    }

    impl Object for Resp {
        fn from_map(mut map: Map) -> Self {
            let one = take_one(&mut map, "output1");
            let many = take_block(&mut map, "output2");
            Resp {
                one,
                many,
                extra: map,
            }
        }
        fn to_map(&self) -> Map {
            let mut m = self.extra.clone();
            self.one.put(&mut m, "output1");
            self.many.put(&mut m, "output2");
            m
        }
        fn report(&self, path: &str, r: &mut Report) {
            r.extra(path, &self.extra);
            self.one.report(path, "output1", r);
            self.many.report(path, "output2", r);
        }
    }

    fn round(v: Value) -> (Resp, Value) {
        let Value::Object(m) = v else { panic!() };
        let r = Resp::from_map(m);
        let back = Value::Object(r.to_map());
        (r, back)
    }

    #[test]
    fn shapes_round_trip_either_way() {
        for v in [
            json!({"output1": {"a": "1"}, "output2": [{"a": "2"}, {"a": "x", "b": 1}]}),
            json!({"output1": [{"a": "1"}, {"a": "3"}], "output2": {"a": "2"}}),
            json!({"output1": "", "output2": null, "rt_cd": "0"}),
            json!({"output1": [], "output2": []}),
            json!({}),
            json!({"output1": {"a": 5}}),
        ] {
            let (_, back) = round(v.clone());
            assert_eq!(back, v);
        }
    }

    #[test]
    fn tolerates_mismatch_and_reports() {
        let (r, _) = round(
            json!({"output1": [{"a": "1"}, {"a": "3"}], "output2": {"a": "y", "b": "z"}, "c": "1"}),
        );
        assert_eq!(r.one.get().and_then(|r| r.a.get()), Some(&1));
        assert_eq!(r.one.rest().len(), 1);
        assert_eq!(r.many.len(), 1);
        assert_eq!(r.unknown_fields(), vec!["c", "output2.b"]);
        assert_eq!(
            r.invalid_fields(),
            vec![("output2.a".to_owned(), "y".to_owned())]
        );
    }
}
