//! Boxing: how rpyc sends values that brine cannot carry.
//!
//! Brine only knows immutable values, yet rpyc passes lists, functions,
//! modules and services around. Every argument and result is therefore
//! *boxed* as a `(label, value)` pair before brine sees it:
//!
//! | label            | value                 | meaning                                               |
//! |------------------|-----------------------|-------------------------------------------------------|
//! | 1 `VALUE`        | any brine value       | the value itself                                      |
//! | 2 `TUPLE`        | tuple of boxes        | a tuple with at least one non-brine item              |
//! | 3 `LOCAL_REF`    | id pack               | an object the **receiver** owns (a proxy coming home) |
//! | 4 `REMOTE_REF`   | id pack               | an object the **sender** owns: make a proxy (netref)  |
//!
//! The labels are named from the *sender's* point of view: "local" is the
//! sender's proxy of one of the receiver's objects, which the receiver turns
//! back into the real object; "remote" is the sender's own object.
//!
//! An id pack is `(name_pack, type_id, instance_id)`: the dotted type name
//! (`"builtins.list"`; a module sends its own name, e.g. `"sys"`), then Python
//! `id()`s of the class and of the instance (`0` when the object *is* a
//! class). Python ids are addresses, so they are large ints and travel as
//! decimal text; we hold them as `i128`, wide enough for any 64-bit address
//! and for the negative numbers another implementation might choose.
//!
//! Python's `_box` sends a tuple as `VALUE` whenever all its items are
//! brine-able, and only falls back to `TUPLE` otherwise. [`Boxed::tuple`]
//! applies the same rule so our bytes match.

use super::brine::{self, BrineValue};
use super::error::MessageError;

/// `consts.LABEL_VALUE`.
pub const LABEL_VALUE: u8 = 1;
/// `consts.LABEL_TUPLE`.
pub const LABEL_TUPLE: u8 = 2;
/// `consts.LABEL_LOCAL_REF`.
pub const LABEL_LOCAL_REF: u8 = 3;
/// `consts.LABEL_REMOTE_REF`.
pub const LABEL_REMOTE_REF: u8 = 4;

/// Identifies an object across the connection: `(name_pack, type_id, instance_id)`.
///
/// ```
/// use oxrpc_rpyc::boxing::IdPack;
/// use oxrpc_rpyc::brine;
///
/// let id = IdPack::new("builtins.list", 94_000_000_000_000, 140_000_000_000_000);
/// let wire = brine::dump(&id.to_brine());
/// assert_eq!(IdPack::from_brine(brine::load(&wire).unwrap()).unwrap(), id);
/// assert!(!id.is_class());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdPack {
    /// `module.qualname` of the object's type (for a class: of the class
    /// itself; for a module: the module name).
    pub type_name: String,
    /// `id()` of the object's type (of the class itself for a class).
    pub type_id: i128,
    /// `id()` of the object; `0` for a class.
    pub instance_id: i128,
}

impl IdPack {
    /// Builds an id pack.
    pub fn new(type_name: impl Into<String>, type_id: i128, instance_id: i128) -> IdPack {
        IdPack {
            type_name: type_name.into(),
            type_id,
            instance_id,
        }
    }

    /// Whether this identifies a class (Python marks classes with instance id 0).
    pub fn is_class(&self) -> bool {
        self.instance_id == 0
    }

    /// The wire form, a 3-tuple.
    pub fn to_brine(&self) -> BrineValue {
        BrineValue::tuple([
            BrineValue::Str(self.type_name.clone()),
            BrineValue::from(self.type_id),
            BrineValue::from(self.instance_id),
        ])
    }

    /// Appends the brine encoding of [`IdPack::to_brine`] to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        brine::write_tuple_header(3, out);
        brine::write_str(&self.type_name, out);
        brine::write_i128(self.type_id, out);
        brine::write_i128(self.instance_id, out);
    }

    /// The id pack `value` is, if it is one: a tuple `(str, int, int)`
    /// whose ids fit.
    pub fn parse(value: &BrineValue) -> Option<IdPack> {
        let (name, type_id, instance_id) = local_ref_parts(value)?;
        Some(IdPack {
            type_name: name.to_owned(),
            type_id,
            instance_id,
        })
    }

    /// [`IdPack::parse`] taking the value: nothing is copied, and a value
    /// that is no id pack comes back as it was.
    pub fn from_local_ref(value: BrineValue) -> Result<IdPack, BrineValue> {
        let ids = local_ref_parts(&value).map(|(_, type_id, instance_id)| (type_id, instance_id));
        match (value, ids) {
            (BrineValue::Tuple(items), Some((type_id, instance_id))) => {
                match items.into_iter().next() {
                    Some(BrineValue::Str(type_name)) => Ok(IdPack {
                        type_name,
                        type_id,
                        instance_id,
                    }),
                    // Checked above: the first item is a str.
                    other => Err(other.unwrap_or(BrineValue::None)),
                }
            }
            (value, _) => Err(value),
        }
    }

    /// Reads a `LABEL_REMOTE_REF`'s value as rpyc does:
    /// `(str(value[0]), value[1], value[2])`, so any sequence of three or
    /// more items with integer ids will do.
    pub fn from_remote_ref(value: BrineValue) -> Result<IdPack, MessageError> {
        let not_id_pack = |short: bool, value: &BrineValue| MessageError::NotIdPack {
            found: describe(value),
            short,
            type_name: value.type_name(),
        };
        let items = match value {
            BrineValue::Tuple(items) if items.len() >= 3 => items,
            value @ (BrineValue::Tuple(_) | BrineValue::Str(_) | BrineValue::Bytes(_)) => {
                // A str or bytes of three or more items would give ids
                // that are not ints: refused below with the other shapes.
                let short = match &value {
                    BrineValue::Tuple(items) => items.len() < 3,
                    BrineValue::Str(s) => s.chars().count() < 3,
                    BrineValue::Bytes(b) => b.len() < 3,
                    _ => false,
                };
                if short {
                    return Err(not_id_pack(true, &value));
                }
                return Err(shape("id pack", "integer ids", &value));
            }
            value => return Err(not_id_pack(false, &value)),
        };
        let (name, type_id, instance_id) = first_three(items)?;
        let type_name = match name {
            BrineValue::Str(s) => s,
            other => other.to_string(),
        };
        Ok(IdPack {
            type_name,
            type_id: id_number(&type_id)?,
            instance_id: id_number(&instance_id)?,
        })
    }

    /// Reads the wire form: a tuple `(str, int, int)`.
    pub fn from_brine(value: BrineValue) -> Result<IdPack, MessageError> {
        let items = match value {
            BrineValue::Tuple(items) if items.len() == 3 => items,
            other => {
                return Err(shape(
                    "id pack",
                    "a 3-tuple (name, type id, instance id)",
                    &other,
                ))
            }
        };
        let (name, type_id, instance_id) = first_three(items)?;
        let type_name = match name {
            BrineValue::Str(s) => s,
            other => return Err(shape("id pack name", "a str", &other)),
        };
        Ok(IdPack {
            type_name,
            type_id: id_number(&type_id)?,
            instance_id: id_number(&instance_id)?,
        })
    }
}

/// The name and ids of `value` if it is an id pack `(str, int, int)`
/// whose ids fit (what [`IdPack::parse`] accepts).
fn local_ref_parts(value: &BrineValue) -> Option<(&str, i128, i128)> {
    match value {
        BrineValue::Tuple(items) => match items.as_slice() {
            [BrineValue::Str(name), type_id, instance_id] => {
                Some((name, id_number(type_id).ok()?, id_number(instance_id).ok()?))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The first three of an id pack's items (the callers checked there are
/// that many).
fn first_three(
    items: Vec<BrineValue>,
) -> Result<(BrineValue, BrineValue, BrineValue), MessageError> {
    let mut items = items.into_iter();
    match (items.next(), items.next(), items.next()) {
        (Some(name), Some(type_id), Some(instance_id)) => Ok((name, type_id, instance_id)),
        _ => Err(MessageError::Shape {
            what: "id pack",
            expected: "a 3-tuple",
            found: "a shorter tuple".to_owned(),
            sequence: true,
        }),
    }
}

fn id_number(v: &BrineValue) -> Result<i128, MessageError> {
    match v {
        BrineValue::Int(_) | BrineValue::BigInt(_) => v
            .as_i128()
            .ok_or_else(|| MessageError::IdOutOfRange(v.to_string())),
        other => Err(shape("object id", "an int", other)),
    }
}

pub(crate) fn shape(
    what: &'static str,
    expected: &'static str,
    found: &BrineValue,
) -> MessageError {
    MessageError::Shape {
        what,
        expected,
        found: describe(found),
        sequence: matches!(
            found,
            BrineValue::Tuple(_) | BrineValue::Str(_) | BrineValue::Bytes(_)
        ),
    }
}

/// A short rendering of a value for error messages (peer data can be huge).
pub(crate) fn describe(v: &BrineValue) -> String {
    let mut s = format!("{} {}", v.type_name(), v);
    if s.len() > 120 {
        let mut cut = 117;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// A boxed value: what rpyc puts on the wire for each argument and result.
///
/// ```
/// use oxrpc_rpyc::boxing::{Boxed, IdPack};
/// use oxrpc_rpyc::brine::{self, BrineValue};
///
/// // A reply of 42, exactly as Python's `_box(42)` sends it: (1, 42).
/// assert_eq!(brine::dump(&Boxed::Value(42.into()).to_brine()), b"\x11\x51\x7a");
///
/// // A tuple mixing a value and an object reference keeps per-item boxes.
/// let mixed = Boxed::tuple(vec![
///     Boxed::Value(1.into()),
///     Boxed::RemoteRef(IdPack::new("builtins.list", 1000, 2000)),
/// ]);
/// assert!(matches!(mixed, Boxed::Tuple(_)));
/// let back = Boxed::from_brine(mixed.to_brine()).unwrap();
/// assert_eq!(back, mixed);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Boxed {
    /// `LABEL_VALUE`: a brine value, sent as itself.
    Value(BrineValue),
    /// `LABEL_TUPLE`: a tuple holding at least one reference.
    Tuple(Vec<Boxed>),
    /// `LABEL_LOCAL_REF`: an object the receiver of this box owns.
    LocalRef(IdPack),
    /// `LABEL_REMOTE_REF`: an object the sender of this box owns.
    RemoteRef(IdPack),
}

impl Boxed {
    /// Boxes a tuple the way Python's `_box` does: as one `Value` when every
    /// item is a value, as a `Tuple` of boxes otherwise.
    pub fn tuple(items: Vec<Boxed>) -> Boxed {
        if items.iter().all(|b| matches!(b, Boxed::Value(_))) {
            Boxed::Value(BrineValue::Tuple(
                items
                    .into_iter()
                    .filter_map(|b| match b {
                        Boxed::Value(v) => Some(v),
                        _ => None,
                    })
                    .collect(),
            ))
        } else {
            Boxed::Tuple(items)
        }
    }

    /// The label this box carries on the wire.
    pub fn label(&self) -> u8 {
        match self {
            Boxed::Value(_) => LABEL_VALUE,
            Boxed::Tuple(_) => LABEL_TUPLE,
            Boxed::LocalRef(_) => LABEL_LOCAL_REF,
            Boxed::RemoteRef(_) => LABEL_REMOTE_REF,
        }
    }

    /// If this box is a tuple (either form), its items as boxes. Request
    /// arguments always arrive as a boxed tuple; this is how to unpack them.
    ///
    /// ```
    /// use oxrpc_rpyc::boxing::Boxed;
    /// use oxrpc_rpyc::brine::BrineValue;
    ///
    /// let args = Boxed::Value(BrineValue::tuple([1.into(), "x".into()]));
    /// assert_eq!(args.into_items().unwrap(), vec![Boxed::Value(1.into()), Boxed::Value("x".into())]);
    /// ```
    pub fn into_items(self) -> Result<Vec<Boxed>, MessageError> {
        match self {
            Boxed::Value(BrineValue::Tuple(items)) => {
                Ok(items.into_iter().map(Boxed::Value).collect())
            }
            Boxed::Tuple(items) => Ok(items),
            Boxed::Value(other) => Err(shape("boxed arguments", "a tuple", &other)),
            Boxed::LocalRef(_) | Boxed::RemoteRef(_) => Err(MessageError::Shape {
                what: "boxed arguments",
                expected: "a tuple",
                found: "an object reference".to_owned(),
                sequence: false,
            }),
        }
    }

    /// Whether this is the empty argument tuple `()`.
    pub fn is_empty_tuple(&self) -> bool {
        match self {
            Boxed::Value(BrineValue::Tuple(items)) => items.is_empty(),
            Boxed::Tuple(items) => items.is_empty(),
            _ => false,
        }
    }

    /// The wire form, `(label, value)`.
    pub fn to_brine(&self) -> BrineValue {
        self.clone().into_brine()
    }

    /// The wire form, consuming the box (no copies of large values).
    pub fn into_brine(self) -> BrineValue {
        let label = BrineValue::Int(i64::from(self.label()));
        let value = match self {
            Boxed::Value(v) => v,
            Boxed::Tuple(items) => {
                BrineValue::Tuple(items.into_iter().map(Boxed::into_brine).collect())
            }
            Boxed::LocalRef(id) | Boxed::RemoteRef(id) => id.to_brine(),
        };
        BrineValue::tuple([label, value])
    }

    /// Appends the brine encoding of [`Boxed::to_brine`] to `out` without
    /// building the intermediate tree.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        brine::write_tuple_header(2, out);
        brine::encode_i64(i64::from(self.label()), out);
        match self {
            Boxed::Value(v) => v.encode_into(out),
            Boxed::Tuple(items) => {
                brine::write_tuple_header(items.len(), out);
                for item in items {
                    item.encode_into(out);
                }
            }
            Boxed::LocalRef(id) | Boxed::RemoteRef(id) => id.encode_into(out),
        }
    }

    /// Reads the wire form, rejecting anything Python's `_unbox` would not
    /// understand (Python raises `ValueError("invalid label ...")` for labels
    /// and fails to unpack malformed shapes).
    pub fn from_brine(value: BrineValue) -> Result<Boxed, MessageError> {
        let items = match value {
            BrineValue::Tuple(items) if items.len() == 2 => items,
            other => return Err(shape("boxed value", "a (label, value) pair", &other)),
        };
        let mut it = items.into_iter();
        let (Some(label), Some(value)) = (it.next(), it.next()) else {
            return Err(MessageError::Shape {
                what: "boxed value",
                expected: "a (label, value) pair",
                found: "a shorter tuple".to_owned(),
                sequence: true,
            });
        };
        let label = match label {
            BrineValue::Int(i) if (1..=4).contains(&i) => i as u8,
            // rpyc compares the label with ==, so True and 1.0 are 1.
            BrineValue::Bool(true) => LABEL_VALUE,
            BrineValue::Float(f) if (1.0..=4.0).contains(&f) && f.fract() == 0.0 => f as u8,
            other => return Err(MessageError::UnknownLabel(other)),
        };
        Ok(match label {
            LABEL_VALUE => Boxed::Value(value),
            LABEL_TUPLE => match value {
                BrineValue::Tuple(items) => Boxed::Tuple(
                    items
                        .into_iter()
                        .map(Boxed::from_brine)
                        .collect::<Result<_, _>>()?,
                ),
                other => return Err(shape("boxed tuple", "a tuple of boxes", &other)),
            },
            // rpyc looks the value up among its objects: anything that is
            // not an id pack names none of them.
            LABEL_LOCAL_REF => match IdPack::from_local_ref(value) {
                Ok(id_pack) => Boxed::LocalRef(id_pack),
                Err(value) => return Err(MessageError::UnknownObject(value)),
            },
            _ => Boxed::RemoteRef(IdPack::from_remote_ref(value)?),
        })
    }
}

impl From<BrineValue> for Boxed {
    fn from(v: BrineValue) -> Self {
        Boxed::Value(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_into_matches_to_brine() {
        let b = Boxed::Tuple(vec![
            Boxed::Value(BrineValue::from("a")),
            Boxed::LocalRef(IdPack::new("x.Y", 1 << 70, 0)),
            Boxed::Tuple(vec![Boxed::RemoteRef(IdPack::new(
                "m",
                -5,
                140_000_000_000_000,
            ))]),
        ]);
        let mut direct = Vec::new();
        b.encode_into(&mut direct);
        assert_eq!(direct, brine::dump(&b.to_brine()));
        assert_eq!(Boxed::from_brine(brine::load(&direct).unwrap()).unwrap(), b);
    }

    #[test]
    fn malformed_boxes() {
        let cases = [
            BrineValue::Int(1),
            BrineValue::tuple([1.into()]),
            BrineValue::tuple([5.into(), BrineValue::None]),
            BrineValue::tuple([false.into(), BrineValue::None]),
            BrineValue::tuple([2.into(), 3.into()]),
            BrineValue::tuple([2.into(), BrineValue::tuple([BrineValue::None])]),
            BrineValue::tuple([4.into(), BrineValue::tuple(["a".into(), 1.into()])]),
            BrineValue::tuple([
                4.into(),
                BrineValue::tuple([1.into(), "x".into(), 1.into()]),
            ]),
            BrineValue::tuple([
                3.into(),
                BrineValue::tuple(["a".into(), 1.0.into(), 1.into()]),
            ]),
        ];
        for c in cases {
            assert!(Boxed::from_brine(c.clone()).is_err(), "{c}");
        }
        // As rpyc: True is the label 1, and a remote reference's name is
        // whatever `str()` makes of it.
        assert_eq!(
            Boxed::from_brine(BrineValue::tuple([true.into(), BrineValue::None])).unwrap(),
            Boxed::Value(BrineValue::None)
        );
        assert_eq!(
            Boxed::from_brine(BrineValue::tuple([
                4.into(),
                BrineValue::tuple([1.into(), 2.into(), 3.into()])
            ]))
            .unwrap(),
            Boxed::RemoteRef(IdPack::new("1", 2, 3))
        );
        // A local reference that is no id pack names no object: KeyError.
        assert_eq!(
            Boxed::from_brine(BrineValue::tuple([3.into(), 5.into()])),
            Err(MessageError::UnknownObject(5.into()))
        );
        let huge = BrineValue::from(num_bigint::BigInt::from(1u8) << 200u32);
        assert!(matches!(
            Boxed::from_brine(BrineValue::tuple([
                4.into(),
                BrineValue::tuple(["a".into(), huge, 1.into()])
            ])),
            Err(MessageError::IdOutOfRange(_))
        ));
    }

    #[test]
    fn tuple_collapses_like_python_box() {
        assert_eq!(
            Boxed::tuple(vec![Boxed::Value(1.into()), Boxed::Value(2.into())]),
            Boxed::Value(BrineValue::tuple([1.into(), 2.into()]))
        );
        assert_eq!(
            Boxed::tuple(vec![]),
            Boxed::Value(BrineValue::Tuple(vec![]))
        );
    }
}
