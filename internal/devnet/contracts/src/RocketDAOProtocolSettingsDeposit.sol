// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's RocketDAOProtocolSettingsDeposit (v1.4,
// rocket-pool/rocketpool@fef41a4f contracts/contract/dao/protocol/settings/
// RocketDAOProtocolSettingsDeposit.sol and RocketDAOProtocolSettings.sol):
// the getters a client reads, getSettingUint/getSettingBool, and the
// setters with their revert strings. Settings live in RocketStorage under
// keccak256(abi.encodePacked(keccak256("dao.protocol.setting.deposit"), path)),
// as in the real contract.
//
// Defaults differ from the real constructor where the devnet needs it:
// deposits are enabled (the real contract deploys disabled until the DAO
// turns them on) and assignments are disabled (the model has no validator
// queue, so the capacity rule is the plain deposit-pool maximum).
//
// MODEL-ONLY: setSettingUint/setSettingBool keep their real signatures but
// are guarded by the RocketStorage guardian instead of the DAO proposals
// contract.

interface RocketStorageForSettingsDeposit {
    function getDeployedStatus() external view returns (bool);
    function getGuardian() external view returns (address);
    function getUint(bytes32 _key) external view returns (uint256);
    function getBool(bytes32 _key) external view returns (bool);
    function setUint(bytes32 _key, uint256 _value) external;
    function setBool(bytes32 _key, bool _value) external;
}

contract RocketDAOProtocolSettingsDeposit {
    uint8 public version = 5;
    RocketStorageForSettingsDeposit internal immutable rocketStorage;
    bytes32 internal immutable settingNameSpace;

    modifier onlyDAOProtocolProposal() {
        if (rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")))) {
            require(msg.sender == rocketStorage.getGuardian(), "Only DAO Protocol Proposals contract can update a setting");
        }
        _;
    }

    constructor(RocketStorageForSettingsDeposit _rocketStorageAddress) {
        rocketStorage = _rocketStorageAddress;
        settingNameSpace = keccak256(abi.encodePacked("dao.protocol.setting.", "deposit"));
        if (!_rocketStorageAddress.getDeployedStatus()) {
            _setSettingBool("deposit.enabled", true);
            _setSettingBool("deposit.assign.enabled", false);
            _setSettingUint("deposit.minimum", 0.01 ether);
            _setSettingUint("deposit.pool.maximum", 160 ether);
            _setSettingUint("deposit.assign.maximum", 90);
            _setSettingUint("deposit.assign.socialised.maximum", 0);
            _setSettingUint("deposit.fee", 0.0005 ether);
            rocketStorage.setBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")), true);
        }
    }

    function getSettingUint(string memory _settingPath) public view returns (uint256) {
        return rocketStorage.getUint(keccak256(abi.encodePacked(settingNameSpace, _settingPath)));
    }

    function getSettingBool(string memory _settingPath) public view returns (bool) {
        return rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, _settingPath)));
    }

    function setSettingUint(string memory _settingPath, uint256 _value) public onlyDAOProtocolProposal {
        if (rocketStorage.getBool(keccak256(abi.encodePacked(settingNameSpace, "deployed")))) {
            bytes32 settingKey = keccak256(bytes(_settingPath));
            if (settingKey == keccak256(bytes("deposit.fee"))) {
                require(_value < 0.01 ether, "Fee must be less than 1%");
            }
        }
        _setSettingUint(_settingPath, _value);
    }

    function setSettingBool(string memory _settingPath, bool _value) public onlyDAOProtocolProposal {
        _setSettingBool(_settingPath, _value);
    }

    function _setSettingUint(string memory _settingPath, uint256 _value) internal {
        rocketStorage.setUint(keccak256(abi.encodePacked(settingNameSpace, _settingPath)), _value);
    }

    function _setSettingBool(string memory _settingPath, bool _value) internal {
        rocketStorage.setBool(keccak256(abi.encodePacked(settingNameSpace, _settingPath)), _value);
    }

    function getDepositEnabled() external view returns (bool) {
        return getSettingBool("deposit.enabled");
    }

    function getAssignDepositsEnabled() external view returns (bool) {
        return getSettingBool("deposit.assign.enabled");
    }

    function getMinimumDeposit() external view returns (uint256) {
        return getSettingUint("deposit.minimum");
    }

    function getMaximumDepositPoolSize() external view returns (uint256) {
        return getSettingUint("deposit.pool.maximum");
    }

    function getMaximumDepositAssignments() external view returns (uint256) {
        return getSettingUint("deposit.assign.maximum");
    }

    function getMaximumDepositSocialisedAssignments() external view returns (uint256) {
        return getSettingUint("deposit.assign.socialised.maximum");
    }

    function getDepositFee() external view returns (uint256) {
        return getSettingUint("deposit.fee");
    }
}
