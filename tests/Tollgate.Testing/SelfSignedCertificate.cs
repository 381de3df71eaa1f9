using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tollgate.Testing;

/// <summary>A throwaway certificate for a loopback TLS stand-in, valid from yesterday to tomorrow, that no machine trusts.</summary>
public static class SelfSignedCertificate
{
    /// <summary>A P-256 certificate for <paramref name="subject"/>, with its private key, naming what <paramref name="names"/> adds.</summary>
    public static X509Certificate2 Create(string subject, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var alternatives = new SubjectAlternativeNameBuilder();
        names(alternatives);
        request.CertificateExtensions.Add(alternatives.Build());
        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
