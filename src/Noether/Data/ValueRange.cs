namespace Noether.Data;

/// <summary>
/// The range of raw feature values a file format allows (e.g. 0..255 for IDX unsigned bytes, 0..16 for
/// scikit-learn digits). It is a property of the format, not of the examples present, so scaling by it
/// treats train, validation and test alike.
/// </summary>
public readonly record struct ValueRange(double Min, double Max)
{
    public override string ToString() => $"[{Min}, {Max}]";
}
