//! Response objects and blocks: decoding a JSON object field by field, tolerating an object
//! where an array was expected (and the reverse), keeping unknown fields, and writing it back.

use super::Val;
use super::decode::{self, Fields, Record, Rows, Slot};
use serde_json::Value;
use std::fmt;
use std::ops::Deref;

/// A JSON object (the remainder of one holds the fields a type does not know).
pub type Map = serde_json::Map<String, Value>;

/// What every generated response struct and block row offers: the write-back and the report
/// of what the spec does not know. Implemented for every generated type (and [`Map`], the row
/// of a block whose columns the spec does not list).
pub trait Object: Record {
    /// Writes back every field as received (under the key it arrived with), unknown ones
    /// included.
    fn to_map(&self) -> Map
    where
        Self: Sized,
    {
        decode::to_map(self)
    }

    /// Adds unknown fields and invalid values below `path` to `report`.
    fn report(&self, path: &str, report: &mut Report)
    where
        Self: Sized,
    {
        decode::report(self, path, report);
    }

    /// Paths of fields the spec does not know (kept, and written back).
    fn unknown_fields(&self) -> Vec<String>
    where
        Self: Sized,
    {
        let mut r = Report::default();
        self.report("", &mut r);
        r.unknown
    }

    /// Paths and raw text of values that did not parse.
    fn invalid_fields(&self) -> Vec<(String, String)>
    where
        Self: Sized,
    {
        let mut r = Report::default();
        self.report("", &mut r);
        r.invalid
    }
}

impl<T: Record> Object for T {}

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

/// The JSON shape a block arrived in, so it is written back the same way.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Shape {
    /// The block was absent.
    #[default]
    Missing,
    /// One JSON object.
    Object,
    /// An array of JSON objects.
    Array,
    /// Neither an object nor an array of objects (e.g. `""` or `null`): kept verbatim.
    Other(Value),
}

/// The rows of a block and the shape they arrived in (shared by [`Block`] and [`One`]).
///
/// Only the vector operations are per row type ([`Rows`]); the rest is written once on
/// `dyn Rows` below, so each of the 379 generated row types costs a few small functions.
#[derive(Clone)]
struct RowList<T> {
    rows: Vec<T>,
    shape: Shape,
}

impl<T> RowList<T> {
    const EMPTY: Self = RowList {
        rows: Vec::new(),
        shape: Shape::Missing,
    };
}

impl<T> Default for RowList<T> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<T: Record + Default> Rows for RowList<T> {
    fn clear_rows(&mut self) {
        self.rows.clear();
    }
    fn push(&mut self) -> &mut dyn Record {
        self.rows.push(T::default());
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }
    fn count(&self) -> usize {
        self.rows.len()
    }
    fn row(&self, i: usize) -> Option<&dyn Record> {
        // A `match`, not `Option::map` with a closure: one function less per row type.
        match self.rows.get(i) {
            Some(r) => Some(r),
            None => None,
        }
    }
    fn shape(&self) -> &Shape {
        &self.shape
    }
    fn shape_mut(&mut self) -> &mut Shape {
        &mut self.shape
    }
}

impl dyn Rows + '_ {
    /// Drops every row; the block reads as absent.
    pub(crate) fn clear(&mut self) {
        self.clear_rows();
        *self.shape_mut() = Shape::Missing;
    }

    /// Marks the block as received as one object (`true`) or as an array.
    pub(crate) fn set_shape_object(&mut self, object: bool) {
        *self.shape_mut() = if object { Shape::Object } else { Shape::Array };
    }

    /// Keeps a value that is neither an object nor an array of objects verbatim.
    pub(crate) fn set_other(&mut self, v: Value) {
        *self.shape_mut() = Shape::Other(v);
    }

    /// The rows decoded so far, written back as JSON objects.
    pub(crate) fn to_values(&self) -> Vec<Value> {
        (0..self.count())
            .filter_map(|i| self.row(i))
            .map(|r| Value::Object(decode::to_map(r)))
            .collect()
    }

    /// A string where a block was expected: kept verbatim.
    fn set_str(&mut self, s: &str) {
        self.clear();
        self.set_other(Value::String(s.to_owned()));
    }

    fn is_present(&self) -> bool {
        *self.shape() != Shape::Missing || self.count() != 0
    }

    fn put(&self, map: &mut Map, key: &str) {
        let one = match self.count() {
            1 => self.row(0),
            _ => None,
        };
        let value = match (self.shape(), one) {
            (Shape::Other(v), _) => v.clone(),
            (Shape::Missing, _) if self.count() == 0 => return,
            (Shape::Object, Some(one)) => Value::Object(decode::to_map(one)),
            _ => Value::Array(self.to_values()),
        };
        map.insert(key.to_owned(), value);
    }

    fn report(&self, path: &str, key: &str, report: &mut Report) {
        let base = join(path, key);
        if let Shape::Other(_) = self.shape() {
            report.unknown.push(base.clone());
        }
        if let (Shape::Object, 1, Some(row)) = (self.shape(), self.count(), self.row(0)) {
            return decode::report(row, &base, report);
        }
        for i in 0..self.count() {
            if let Some(row) = self.row(i) {
                decode::report(row, &format!("{base}[{i}]"), report);
            }
        }
    }
}

/// The rows of a [`RowList`] for `Debug`, one small function per row type.
trait DebugRows {
    fn count(&self) -> usize;
    fn item(&self, i: usize) -> Option<&dyn fmt::Debug>;
}

impl<T: fmt::Debug> DebugRows for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
    fn item(&self, i: usize) -> Option<&dyn fmt::Debug> {
        match self.get(i) {
            Some(r) => Some(r),
            None => None,
        }
    }
}

/// `Debug` of a [`RowList`], as `#[derive(Debug)]` would print it, written once.
struct RowsDebug<'a>(&'a dyn DebugRows, &'a Shape);

/// `Debug` of the row vector of a [`RowList`] (a list, as `Vec`'s own `Debug`).
struct ListDebug<'a>(&'a dyn DebugRows);

impl fmt::Debug for RowsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowList")
            .field("rows", &ListDebug(self.0))
            .field("shape", self.1)
            .finish()
    }
}

impl fmt::Debug for ListDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_list();
        for i in 0..self.0.count() {
            if let Some(r) = self.0.item(i) {
                l.entry(r);
            }
        }
        l.finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for RowList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RowsDebug(&self.rows, &self.shape).fmt(f)
    }
}

/// An array block (`output1`, ...): a list of rows. Tolerates a single object where an array
/// was expected, and writes back the shape it received.
#[derive(Clone)]
pub struct Block<T>(RowList<T>);

impl<T> Default for Block<T> {
    fn default() -> Self {
        Block(RowList::default())
    }
}

impl<T> Block<T> {
    /// No rows: the block was absent (the `Default`, as a constant).
    pub const EMPTY: Self = Block(RowList::EMPTY);

    /// The rows.
    pub fn rows(&self) -> &[T] {
        &self.0.rows
    }
    /// The rows, by value.
    pub fn into_rows(self) -> Vec<T> {
        self.0.rows
    }
}

impl<T> Deref for Block<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0.rows
    }
}

impl<'a, T> IntoIterator for &'a Block<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.rows.iter()
    }
}

/// An object block (`output`, ...): one record, or none. Tolerates an array where an object
/// was expected (further rows are kept in [`One::rest`]), and writes back the shape it
/// received.
#[derive(Clone)]
pub struct One<T>(RowList<T>);

impl<T> Default for One<T> {
    fn default() -> Self {
        One(RowList::default())
    }
}

impl<T> One<T> {
    /// No record: the block was absent (the `Default`, as a constant).
    pub const EMPTY: Self = One(RowList::EMPTY);

    /// The record, if the block was present.
    pub fn get(&self) -> Option<&T> {
        self.0.rows.first()
    }
    /// Further records, when KIS sent an array of several.
    pub fn rest(&self) -> &[T] {
        self.0.rows.get(1..).unwrap_or_default()
    }
    /// Every record by value (one, or several when KIS sent an array).
    pub fn into_rows(self) -> Vec<T> {
        self.0.rows
    }
    /// The record by value.
    pub fn into_inner(self) -> Option<T> {
        self.0.rows.into_iter().next()
    }
}

macro_rules! block_slot {
    ($ty:ident) => {
        impl<T: Record + Default> Slot for $ty<T> {
            /// A string where a block was expected: kept verbatim.
            fn set_str(&mut self, s: &str) {
                (&mut self.0 as &mut dyn Rows).set_str(s);
            }
            fn rows(&mut self) -> Option<&mut dyn Rows> {
                Some(&mut self.0)
            }
            fn is_present(&self) -> bool {
                (&self.0 as &dyn Rows).is_present()
            }
            fn reset(&mut self) {
                (&mut self.0 as &mut dyn Rows).clear();
            }
            fn put(&self, map: &mut Map, key: &str) {
                (&self.0 as &dyn Rows).put(map, key);
            }
            fn report(&self, path: &str, key: &str, r: &mut Report) {
                (&self.0 as &dyn Rows).report(path, key, r);
            }
        }

        impl<T: fmt::Debug> fmt::Debug for $ty<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.0).finish()
            }
        }
    };
}

block_slot!(Block);
block_slot!(One);

/// A block whose columns the spec does not list: every field is kept as received.
impl Record for Map {
    fn fields(&self) -> &'static Fields {
        &decode::NO_FIELDS
    }
    fn slot(&self, _: usize) -> Option<&dyn Slot> {
        None
    }
    fn slot_mut(&mut self, _: usize) -> Option<&mut dyn Slot> {
        None
    }
    fn extra(&self) -> &Map {
        self
    }
    fn extra_mut(&mut self) -> &mut Map {
        self
    }
    fn reports_extra(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::decode::{Spellings, deserialize_into};
    use serde_json::json;

    #[derive(Debug, Default)]
    struct Row {
        a: Val<i64>,
        extra: Map,
        spellings: Spellings,
    }

    impl Record for Row {
        fn fields(&self) -> &'static Fields {
            static F: Fields = Fields {
                names: &["a"],
                lower: &[("a", 0)],
            };
            &F
        }
        fn slot(&self, i: usize) -> Option<&dyn Slot> {
            Some(match i {
                0 => &self.a,
                _ => return None,
            })
        }
        fn slot_mut(&mut self, i: usize) -> Option<&mut dyn Slot> {
            Some(match i {
                0 => &mut self.a,
                _ => return None,
            })
        }
        fn extra(&self) -> &Map {
            &self.extra
        }
        fn extra_mut(&mut self) -> &mut Map {
            &mut self.extra
        }
        fn spellings(&self) -> Option<&Spellings> {
            Some(&self.spellings)
        }
        fn spellings_mut(&mut self) -> Option<&mut Spellings> {
            Some(&mut self.spellings)
        }
    }

    #[derive(Debug, Default)]
    struct Resp {
        one: One<Row>,
        many: Block<Row>,
        odno: Val<String>,
        extra: Map,
        spellings: Spellings,
    }

    impl Record for Resp {
        fn fields(&self) -> &'static Fields {
            static F: Fields = Fields {
                names: &["output1", "output2", "ODNO"],
                lower: &[("odno", 2), ("output1", 0), ("output2", 1)],
            };
            &F
        }
        fn slot(&self, i: usize) -> Option<&dyn Slot> {
            Some(match i {
                0 => &self.one,
                1 => &self.many,
                2 => &self.odno,
                _ => return None,
            })
        }
        fn slot_mut(&mut self, i: usize) -> Option<&mut dyn Slot> {
            Some(match i {
                0 => &mut self.one,
                1 => &mut self.many,
                2 => &mut self.odno,
                _ => return None,
            })
        }
        fn extra(&self) -> &Map {
            &self.extra
        }
        fn extra_mut(&mut self) -> &mut Map {
            &mut self.extra
        }
        fn spellings(&self) -> Option<&Spellings> {
            Some(&self.spellings)
        }
        fn spellings_mut(&mut self) -> Option<&mut Spellings> {
            Some(&mut self.spellings)
        }
    }

    /// Decodes `text` (from bytes, and from a parsed `Value`: both must agree) and writes it
    /// back.
    fn round_text(text: &str) -> (Resp, Value) {
        let mut r = Resp::default();
        deserialize_into(&mut serde_json::Deserializer::from_str(text), &mut r).expect("object");
        let v: Value = serde_json::from_str(text).expect("json");
        let (back, _) =
            decode::decode_map(&mut Resp::default(), v.as_object().expect("object").clone());
        assert_eq!(Value::Object(r.to_map()), Value::Object(back), "{text}");
        let written = Value::Object(r.to_map());
        (r, written)
    }

    fn round(v: Value) -> (Resp, Value) {
        round_text(&v.to_string())
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
            json!({"output2": [{"a": "1"}, 2, {"a": "3"}], "output1": [[]]}),
            json!({"output2": [{"a": "1"}, {"a": {"b": [1, 2.5, null, true]}}]}),
            json!({"ODNO": 7, "odno": "1", "output1": {"A": "2", "a": "3"}}),
        ] {
            let (_, back) = round(v.clone());
            assert_eq!(back, v);
        }
    }

    #[test]
    fn keys_match_ignoring_case_and_keep_their_spelling() {
        let (r, back) = round(json!({"odno": "0000123", "output1": {"A": "5"}}));
        assert_eq!(r.odno.get().map(String::as_str), Some("0000123"));
        assert_eq!(r.one.get().and_then(|o| o.a.get()), Some(&5));
        assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
        assert_eq!(back, json!({"odno": "0000123", "output1": {"A": "5"}}));
        // Both spellings: the exact one fills the field, the other is kept.
        for text in [
            r#"{"odno": "1", "ODNO": "2"}"#,
            r#"{"ODNO": "2", "odno": "1"}"#,
        ] {
            let (r, back) = round_text(text);
            assert_eq!(r.odno.raw(), "2", "{text}");
            assert_eq!(r.unknown_fields(), vec!["odno"], "{text}");
            assert_eq!(back, json!({"odno": "1", "ODNO": "2"}));
        }
    }

    #[test]
    fn repeated_keys_last_wins_like_value() {
        for text in [
            r#"{"ODNO": "1", "ODNO": 5}"#,
            r#"{"ODNO": 5, "ODNO": "1"}"#,
            r#"{"odno": "1", "odno": "2", "ODNO": "3"}"#,
            r#"{"output1": {"a": "1"}, "output1": ""}"#,
            r#"{"x": 1, "x": 2}"#,
        ] {
            let (_, back) = round_text(text);
            let v: Value = serde_json::from_str(text).expect("json");
            assert_eq!(back, v, "{text}");
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

    #[test]
    fn json_numbers_fill_scalars_and_write_back_as_numbers() {
        let (r, back) =
            round(json!({"ODNO": 200, "output1": {"a": 86400}, "output2": [{"a": -3}]}));
        assert_eq!(r.odno.get().map(String::as_str), Some("200"));
        assert_eq!(r.one.get().and_then(|o| o.a.get()), Some(&86400));
        assert_eq!(r.many.first().and_then(|o| o.a.get()), Some(&-3));
        assert!(r.unknown_fields().is_empty(), "{:?}", r.unknown_fields());
        assert!(r.invalid_fields().is_empty());
        assert_eq!(back["ODNO"], json!(200));
        // A fraction in an integer field is kept (invalid), still a number on the way back.
        let (r, back) = round(json!({"output1": {"a": 1.5}, "odno": 7}));
        assert_eq!(
            r.one.get().map(|o| o.a.raw().into_owned()),
            Some("1.5".into())
        );
        assert_eq!(back, json!({"output1": {"a": 1.5}, "odno": 7}));
        // A later string for the same key is written back as a string.
        let (_, back) = round_text(r#"{"ODNO": 1, "ODNO": "1"}"#);
        assert_eq!(back, json!({"ODNO": "1"}));
        let (_, back) = round_text(r#"{"odno": 1, "ODNO": "2"}"#);
        assert_eq!(back, json!({"odno": 1, "ODNO": "2"}));
    }

    proptest::proptest! {
        #[test]
        fn any_json_number_round_trips(
            i in proptest::prelude::any::<i64>(),
            u in proptest::prelude::any::<u64>(),
            cents in proptest::prelude::any::<i32>(),
        ) {
            // Prices as KIS would send them (serde_json's default float parsing is exact for
            // these; arbitrary f64 text is not, with or without this path).
            let f = f64::from(cents) / 100.0;
            let v = json!({"ODNO": u, "output1": {"a": i}, "output2": [{"a": f}, {"a": i}]});
            let (r, back) = round(v.clone());
            proptest::prop_assert_eq!(back, v);
            proptest::prop_assert_eq!(r.one.get().and_then(|o| o.a.get()), Some(&i));
            let text = u.to_string();
            proptest::prop_assert_eq!(r.odno.get().map(String::as_str), Some(text.as_str()));
            proptest::prop_assert!(r.unknown_fields().is_empty());
        }
    }

    #[test]
    fn not_an_object_is_an_error() {
        for text in ["[]", "\"x\"", "1", "null", "{\"a\": }"] {
            let mut r = Resp::default();
            assert!(
                deserialize_into(&mut serde_json::Deserializer::from_str(text), &mut r).is_err(),
                "{text}"
            );
        }
    }
}
