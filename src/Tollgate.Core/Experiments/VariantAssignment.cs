using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Core.Experiments;

/// <summary>
/// Deterministic assignment: the variant is a pure function of (experiment, visitor), so every node agrees without a
/// write. SHA-256 is used for its uniformity and because it is the same on every platform and .NET version.
/// </summary>
public static class VariantAssignment
{
    public static ExperimentVariant Assign(string experimentId, string visitorId, IReadOnlyList<ExperimentVariant> variants)
    {
        ArgumentOutOfRangeException.ThrowIfZero(variants.Count);
        var total = (ulong)variants.Sum(v => (long)v.Weight);
        var point = Point(experimentId, visitorId, total);
        foreach (var variant in variants)
        {
            if (point < (ulong)variant.Weight)
            {
                return variant;
            }

            point -= (ulong)variant.Weight;
        }

        return variants[^1];
    }

    /// <summary>A point in [0, total): the first 64 bits of SHA-256(experiment NUL visitor), scaled by multiply-shift.</summary>
    public static ulong Point(string experimentId, string visitorId, ulong total)
    {
        // NUL cannot occur in either id, so ("ab", "c") and ("a", "bc") hash differently.
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{experimentId}\0{visitorId}"), hash);
        var value = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return (ulong)(((UInt128)value * total) >> 64);
    }
}
