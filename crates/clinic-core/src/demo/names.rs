//! Plausible names from several cultures, with the accents and scripts real clinics see.

pub(super) struct Culture {
    pub given_female: &'static [&'static str],
    pub given_male: &'static [&'static str],
    pub family: &'static [&'static str],
    /// Country calling code and the first digit of a mobile number.
    pub phone: (&'static str, &'static str),
}

pub(super) const CULTURES: &[Culture] = &[
    Culture { // Portuguese
        given_female: &["Maria", "Ana", "Beatriz", "Inês", "Leonor", "Matilde", "Carolina", "Joana", "Sofia", "Mariana"],
        given_male: &["João", "Francisco", "Tomás", "Rodrigo", "Martim", "Duarte", "Afonso", "Gonçalo", "Rui", "Tiago"],
        family: &["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Gonçalves", "Sousa", "Conceição", "Simões"],
        phone: ("+351", "9"),
    },
    Culture { // Spanish
        given_female: &["Lucía", "María José", "Paula", "Elena", "Martina", "Alba", "Noelia", "Rocío"],
        given_male: &["Hugo", "Alejandro", "Pablo", "Álvaro", "Javier", "Sergio", "Íñigo", "Raúl"],
        family: &["García", "Fernández", "González", "López", "Martínez", "Sánchez", "Pérez", "Núñez", "Muñoz", "Jiménez"],
        phone: ("+34", "6"),
    },
    Culture { // English
        given_female: &["Olivia", "Amelia", "Isla", "Ava", "Emily", "Grace", "Chloe", "Zoë"],
        given_male: &["Oliver", "George", "Harry", "Noah", "Jack", "Charlie", "Thomas", "James"],
        family: &["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "O'Brien", "Clarke"],
        phone: ("+44", "7"),
    },
    Culture { // German and Nordic
        given_female: &["Lena", "Hanna", "Jürgen", "Sören", "Åsa", "Ingrid", "Greta", "Frieda"],
        given_male: &["Lukas", "Jonas", "Björn", "Matthias", "Sven", "Lars", "Jörg", "Henrik"],
        family: &["Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Öztürk", "Ångström", "Lindqvist", "Sørensen", "Vogel"],
        phone: ("+49", "1"),
    },
    Culture { // West African
        given_female: &["Amara", "Chiamaka", "Ngozi", "Adaeze", "Efua", "Abena", "Folake", "Yetunde"],
        given_male: &["Kwame", "Chinedu", "Emeka", "Kofi", "Oluwaseun", "Tunde", "Yaw", "Babajide"],
        family: &["Okafor", "Mensah", "Adeyemi", "Okonkwo", "Boateng", "Asante", "Oyelaran", "Eze", "Nwosu", "Owusu"],
        phone: ("+234", "8"),
    },
    Culture { // Vietnamese
        given_female: &["Lan", "Hương", "Ngọc", "Thảo", "Mai", "Linh"],
        given_male: &["Minh", "Đức", "Hùng", "Quang", "Tuấn", "Long"],
        family: &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"],
        phone: ("+84", "9"),
    },
    Culture { // South Asian
        given_female: &["Priya", "Ananya", "Aisha", "Fatima", "Kavya", "Lakshmi", "Sana", "Meera"],
        given_male: &["Arjun", "Rohan", "Imran", "Vikram", "Rahul", "Sanjay", "Farhan", "Aditya"],
        family: &["Sharma", "Patel", "Khan", "Singh", "Iyer", "Reddy", "Chowdhury", "Hussain", "Nair", "Gupta"],
        phone: ("+91", "9"),
    },
    Culture { // Greek and Cyrillic scripts
        given_female: &["Ελένη", "Μαρία", "Анна", "Ольга", "Наталья"],
        given_male: &["Γιώργος", "Νίκος", "Иван", "Дмитрий", "Сергей"],
        family: &["Παπαδόπουλος", "Οικονόμου", "Иванов", "Петров", "Смирнов", "Κωνσταντίνου"],
        phone: ("+30", "6"),
    },
    Culture { // Arabic (transliterated)
        given_female: &["Layla", "Mariam", "Noor", "Yasmin", "Huda", "Rania"],
        given_male: &["Omar", "Youssef", "Karim", "Hassan", "Tariq", "Samir"],
        family: &["Haddad", "Al-Masri", "Khoury", "Nasser", "El-Amin", "Saleh", "Barakat"],
        phone: ("+212", "6"),
    },
    Culture { // Chinese (pinyin)
        given_female: &["Mei", "Xiu Ying", "Li Na", "Yan", "Jing"],
        given_male: &["Wei", "Jun", "Hao", "Zhi Wei", "Lei"],
        family: &["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao"],
        phone: ("+86", "1"),
    },
];
